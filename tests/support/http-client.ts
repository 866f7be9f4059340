/** A tiny cookie-keeping HTTP client for integration tests, speaking to a real listening server. */
export interface TestClient {
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  signIn(email: string, password: string): Promise<void>;
  csrfToken: string | null;
}

export function createTestClient(baseUrl: string): TestClient {
  let cookie: string | null = null;
  const client: TestClient = {
    csrfToken: null,
    async request(method, path, body, headers = {}) {
      const isForm = typeof FormData !== "undefined" && body instanceof FormData;
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(body !== undefined && !isForm ? { "content-type": "application/json" } : {}),
          ...(cookie ? { cookie } : {}),
          ...(client.csrfToken ? { "x-csrf-token": client.csrfToken } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : isForm ? (body as FormData) : JSON.stringify(body),
      });
      const setCookie = response.headers.get("set-cookie");
      if (setCookie) cookie = setCookie.split(";")[0];
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async signIn(email, password) {
      const result = await client.request("POST", "/api/auth/sign-in", { email, password });
      if (result.status !== 200) throw new Error(`sign-in failed: ${result.status} ${JSON.stringify(result.body)}`);
      client.csrfToken = result.body.csrfToken;
    },
  };
  return client;
}
