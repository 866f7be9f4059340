/**
 * The CLI through a running server. PGlite allows one process per data directory, so while
 * `npm start` serves DATA_DIR the CLI cannot open the database itself; it asks that server over the
 * API instead, signed in with a personal API token. Runs made this way are ordinary runs of the
 * server (queued, run by its worker, shown live in the UI) and the CLI draws the same progress bar
 * from the run's progress.
 */
import type { Config } from "../core/config.ts";
import { findRunningServer } from "../core/db/process-files.ts";
import { UsageError } from "./cli-context.ts";

export interface RemoteServer {
  url: string;
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** An answer the server refused; 4xx keeps its status so the CLI can exit 2 (the caller's to fix). */
export class RemoteError extends Error {
  override name = "RemoteError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The server to talk to, or null to open the database here: CALIBRATE_URL when set; otherwise the
 * server serving DATA_DIR with embedded PGlite (never with DATABASE_URL, which processes share).
 */
export function remoteServer(config: Config): RemoteServer | null {
  const running = config.DATABASE_URL ? null : findRunningServer(config.DATA_DIR);
  const url = config.CALIBRATE_URL ?? running?.url;
  if (!url) return null;
  const token = config.CALIBRATE_TOKEN;
  if (!token) {
    throw new UsageError(
      (running
        ? `A Calibrate server (pid ${running.pid}, ${running.url}) has the embedded database in ${config.DATA_DIR} open, so this command runs through it. `
        : `CALIBRATE_URL is set (${url}), so this command runs through that server. `) +
        "Set CALIBRATE_TOKEN to a personal API token of a trainer or admin (Settings → API tokens in the web UI), or stop the server.",
    );
  }
  const base = url.replace(/\/+$/, "");
  return {
    url: base,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: "application/json",
            "accept-language": "en",
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        throw new Error(`Cannot reach the Calibrate server at ${base}: ${(error as Error).message}`);
      }
      const text = await response.text();
      const parsed = text ? (JSON.parse(text) as unknown) : null;
      if (!response.ok) {
        const error = (parsed as { error?: { message?: string; issues?: Array<{ path?: string; message: string }> } } | null)?.error;
        const issues = error?.issues?.map((issue) => `${issue.path ? `${issue.path}: ` : ""}${issue.message}`).join("; ");
        throw new RemoteError(
          `${base} answered ${response.status}: ${error?.message ?? text.slice(0, 200)}${issues ? ` (${issues})` : ""}`,
          response.status,
        );
      }
      return parsed as T;
    },
  };
}
