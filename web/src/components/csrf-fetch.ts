/**
 * `fetch` for the few requests that cannot go through `api` (streamed responses read by the AI
 * SDK, raw file bodies): it adds the session's CSRF token, fetched fresh from `/api/auth/me` so a
 * sign-in elsewhere never leaves a stale one, and turns error responses into the same `ApiError`
 * the rest of the app shows.
 */
import { ApiError, api, errorFromResponse, networkErrorCode } from "../api/client.ts";

async function csrfToken(): Promise<string | null> {
  const me = await api.get<{ csrfToken: string | null }>("/api/auth/me");
  return me.csrfToken;
}

export async function fetchWithCsrf(
  input: RequestInfo | URL,
  init: RequestInit = {},
): Promise<Response> {
  const token = await csrfToken();
  const headers = new Headers(init.headers);
  if (token) headers.set("X-CSRF-Token", token);
  let response: Response;
  try {
    response = await fetch(input, {
      ...init,
      headers,
      credentials: "same-origin",
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError("Cannot reach the server.", 0, networkErrorCode);
  }
  if (!response.ok) {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the text itself is the message.
    }
    throw errorFromResponse(response.status, body, response.statusText);
  }
  return response;
}
