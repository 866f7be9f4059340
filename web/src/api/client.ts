/**
 * A small typed client for the Calibrate API. It sends the session's CSRF token on every request
 * that changes state, and turns error bodies (`{ error: { code, message, issues? } }`) into thrown
 * `ApiError`s carrying the server's message, so screens can show it as is.
 */

export interface ApiIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly code: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let csrfToken: string | null = null;
const unauthorisedListeners = new Set<() => void>();

/** Set after sign-in (and from `GET /api/auth/me`); cleared on sign-out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request comes back 401: the session expired or was revoked elsewhere. */
export function onUnauthorised(listener: () => void): () => void {
  unauthorisedListeners.add(listener);
  return () => unauthorisedListeners.delete(listener);
}

/** The ApiError an error response stands for, whatever its body looks like. */
export function errorFromResponse(status: number, body: unknown, statusText = ""): ApiError {
  const error = (
    body as { error?: { code?: unknown; message?: unknown; detail?: unknown; issues?: unknown } } | null
  )?.error;
  const code = typeof error?.code === "string" ? error.code : `http_${status}`;
  // The server says its message in the UI's language; where it only had a general sentence in that
  // language it adds the specifics (in English) as `detail`, which the user should still see.
  const detail = typeof error?.detail === "string" && error.detail ? ` (${error.detail})` : "";
  const message =
    typeof error?.message === "string" && error.message
      ? `${error.message}${detail}`
      : typeof body === "string" && body.trim() && body.length < 300
        ? body.trim()
        : `The server answered ${status}${statusText ? ` ${statusText}` : ""}.`;
  const issues = Array.isArray(error?.issues)
    ? error.issues
        .filter((issue): issue is ApiIssue => typeof issue?.message === "string")
        .map((issue) => ({ path: String(issue.path ?? ""), message: issue.message }))
    : [];
  return new ApiError(message, status, code, issues);
}

function parseBody(text: string, contentType: string | null): unknown {
  if (!text) return null;
  if (contentType?.includes("json")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function notifyUnauthorised(status: number, path: string): void {
  // A failed sign-in is a 401 too, but it is no expired session.
  if (status === 401 && !path.startsWith("/api/auth/"))
    for (const listener of unauthorisedListeners) listener();
}

/** The UI's current language (i18n.ts keeps it on <html lang>), so the server answers errors in it. */
function uiLanguage(): string | null {
  return typeof document === "undefined" ? null : document.documentElement.lang || null;
}

function headersFor(method: string, hasJsonBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const language = uiLanguage();
  if (language) headers["Accept-Language"] = language;
  if (hasJsonBody) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  return headers;
}

export const networkErrorCode = "network";

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: headersFor(method, body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError("Cannot reach the server.", 0, networkErrorCode);
  }
  const parsed = parseBody(await response.text(), response.headers.get("content-type"));
  if (!response.ok) {
    notifyUnauthorised(response.status, path);
    throw errorFromResponse(response.status, parsed, response.statusText);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>("GET", path, undefined, signal),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, body),
  delete: <T = null>(path: string) => request<T>("DELETE", path),
};

export interface UploadOptions {
  /** Fraction of the request body sent so far, 0–1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Multipart upload with progress. `fetch` cannot report upload progress, so this one request uses
 * XMLHttpRequest; its errors are the same ApiErrors as everywhere else.
 */
export function upload<T>(path: string, form: FormData, options: UploadOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.setRequestHeader("Accept", "application/json");
    const language = uiLanguage();
    if (language) xhr.setRequestHeader("Accept-Language", language);
    if (csrfToken) xhr.setRequestHeader("X-CSRF-Token", csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0)
        options.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body = parseBody(xhr.responseText, xhr.getResponseHeader("content-type"));
      if (xhr.status >= 200 && xhr.status < 300) {
        options.onProgress?.(1);
        resolve(body as T);
        return;
      }
      notifyUnauthorised(xhr.status, path);
      reject(errorFromResponse(xhr.status, body, xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError("Cannot reach the server.", 0, networkErrorCode));
    xhr.onabort = () => reject(new DOMException("The upload was cancelled.", "AbortError"));
    options.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}
