/**
 * SIGTERM must stop the API process within a bound even while a browser holds the live-progress
 * stream (`/api/events`) open: before, `server.close()` waited for that stream forever and the
 * process had to be killed. The real entry point (`npm run server`) runs as a child process.
 */
import { afterAll, describe, expect, it } from "vitest";
import { signIn } from "../chaos/load.ts";
import { addUser, appProcess, createWorkDirectory, freePort } from "../chaos/processes.ts";

describe("graceful shutdown of `npm run server`", () => {
  const work = createWorkDirectory();
  afterAll(() => work.remove());

  it("exits 0 within seconds of SIGTERM while an SSE stream is open", async () => {
    const port = await freePort();
    const environment = { NODE_ENV: "production", LOG_LEVEL: "info", HOST: "127.0.0.1", PORT: String(port), DATA_DIR: work.path, DATABASE_URL: "", REDIS_URL: "" };
    const password = "graceful-password-1234";
    addUser(environment, { role: "rep", email: "rep@graceful.test", password });
    const baseUrl = `http://127.0.0.1:${port}`;
    const api = appProcess("api", "server/main.ts", environment, { logDirectory: work.path, healthUrl: `${baseUrl}/healthz` });
    await api.start();
    try {
      const rep = await signIn(baseUrl, "rep@graceful.test", password);
      const stream = await fetch(`${baseUrl}/api/events`, { headers: { cookie: rep.cookie! } });
      expect(stream.status).toBe(200);
      const reader = stream.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain(": connected");

      const started = Date.now();
      const exit = await api.terminate(30_000);
      expect(exit).toEqual({ code: 0, forced: false });
      expect(Date.now() - started).toBeLessThan(20_000);
      // The stream was ended by the server (a browser's EventSource reconnects by itself).
      const ended = (async () => {
        for (;;) if ((await reader.read()).done) return "ended";
      })().catch(() => "ended");
      await expect(ended).resolves.toBe("ended");
    } finally {
      await api.kill();
    }
  }, 120_000);
});
