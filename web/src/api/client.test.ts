import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, api, errorFromResponse, onUnauthorised, setCsrfToken } from "./client.ts";

interface SentRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function fakeFetch(status: number, body: unknown, contentType = "application/json") {
  const sent: SentRequest[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push({
      url,
      method: init.method ?? "GET",
      headers: init.headers as Record<string, string>,
      body: init.body as string | undefined,
    });
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, {
      status,
      headers: { "content-type": contentType },
    });
  });
  return sent;
}

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe("api client", () => {
  it("sends the CSRF token on state changes only", async () => {
    setCsrfToken("token-123");
    const sent = fakeFetch(200, { ok: true });
    await api.get("/api/things");
    await api.post("/api/things", { name: "x" });
    expect(sent[0].headers["X-CSRF-Token"]).toBeUndefined();
    expect(sent[1].headers["X-CSRF-Token"]).toBe("token-123");
    expect(sent[1].headers["Content-Type"]).toBe("application/json");
    expect(JSON.parse(sent[1].body!)).toEqual({ name: "x" });
  });

  it("returns the parsed body, and null for an empty one", async () => {
    fakeFetch(200, { users: [1, 2] });
    expect(await api.get("/api/users")).toEqual({ users: [1, 2] });
    fakeFetch(204, "");
    expect(await api.delete("/api/tokens/1")).toBeNull();
  });

  it("throws the server's error message, code and issues", async () => {
    fakeFetch(400, {
      error: {
        code: "validation_failed",
        message: "Invalid request body",
        issues: [{ path: "email", message: "Too short" }],
      },
    });
    const error = await api.post("/api/users", {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe("Invalid request body");
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).code).toBe("validation_failed");
    expect((error as ApiError).issues).toEqual([{ path: "email", message: "Too short" }]);
  });

  it("asks for errors in the UI's language and shows the server's message with its specifics", async () => {
    vi.stubGlobal("document", { documentElement: { lang: "zh-CN" } });
    const sent = fakeFetch(422, {
      error: { code: "unprocessable", message: "无法处理该内容。", detail: "Only a failed recording can be re-run." },
    });
    const error = (await api.post("/api/recordings/1/retry").catch((caught: unknown) => caught)) as ApiError;
    expect(sent[0].headers["Accept-Language"]).toBe("zh-CN");
    expect(error.message).toBe("无法处理该内容。 (Only a failed recording can be re-run.)");
    expect(error.code).toBe("unprocessable");
  });

  it("sends no Accept-Language when the UI has not chosen one", async () => {
    const sent = fakeFetch(200, { ok: true });
    await api.get("/api/things");
    expect(sent[0].headers["Accept-Language"]).toBeUndefined();
  });

  it("reports a network failure as status 0", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("Failed to fetch");
    });
    const error = (await api.get("/api/me").catch((caught: unknown) => caught)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.code).toBe("network");
  });

  it("tells listeners about an expired session but not about a failed sign-in", async () => {
    const listener = vi.fn();
    const stop = onUnauthorised(listener);
    fakeFetch(401, { error: { code: "unauthorized", message: "Wrong e-mail or password." } });
    await api.post("/api/auth/sign-in", {}).catch(() => {});
    expect(listener).not.toHaveBeenCalled();
    await api.get("/api/recordings").catch(() => {});
    expect(listener).toHaveBeenCalledTimes(1);
    stop();
  });
});

describe("errorFromResponse", () => {
  it("copes with bodies that are not the error shape", () => {
    expect(errorFromResponse(502, "Bad gateway from nginx").message).toBe("Bad gateway from nginx");
    expect(errorFromResponse(500, null, "Internal Server Error").message).toBe(
      "The server answered 500 Internal Server Error.",
    );
    expect(errorFromResponse(500, null).code).toBe("http_500");
  });
});
