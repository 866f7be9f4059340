import { Writable } from "node:stream";
import type { AddressInfo } from "node:net";
import express from "express";
import { pino } from "pino";
import { pinoHttp } from "pino-http";
import { describe, expect, it } from "vitest";
import { requestLogOptions } from "./request-log.ts";

/** One request through a real server logging with `environment`'s options; the records written. */
async function logOneRequest(environment: "development" | "production"): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const app = express();
  app.use(pinoHttp({ logger: pino(destination), ...requestLogOptions(environment) }));
  app.get("/api/things", (_request, response) => {
    response.setHeader("x-some-header", "value");
    response.json({ ok: true });
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/things`)).json();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  return lines.map((line) => JSON.parse(line));
}

describe("the request log", () => {
  it("writes a short readable line in development, without the response headers", async () => {
    const [record] = await logOneRequest("development");
    expect(record.msg).toMatch(/^GET \/api\/things 200 \d+ ms$/);
    expect(record.res).toBeUndefined();
    expect(JSON.stringify(record)).not.toContain("x-some-header");
  });

  it("keeps the full record in production", async () => {
    const [record] = await logOneRequest("production");
    expect(record.req).toMatchObject({ method: "GET", url: "/api/things" });
    expect(JSON.stringify(record.res)).toContain("x-some-header");
  });
});
