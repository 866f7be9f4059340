/**
 * Builds the web UI for the browser tests when `web/dist` is missing or older than its sources.
 * Test files run in parallel processes, so the check-and-build happens under a file lock: the
 * first process builds, the others wait and then find the build fresh.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import lockfile from "proper-lockfile";

export const repositoryRoot = path.resolve(import.meta.dirname, "../../..");
const webRoot = path.join(repositoryRoot, "web");
export const webDistDirectory = path.join(webRoot, "dist");

function newestModification(entry: string): number {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry))
    newest = Math.max(newest, newestModification(path.join(entry, child)));
  return newest;
}

export function webBuildIsStale(): boolean {
  const builtIndex = path.join(webDistDirectory, "index.html");
  if (!fs.existsSync(builtIndex)) return true;
  const sources = Math.max(
    newestModification(path.join(webRoot, "src")),
    newestModification(path.join(webRoot, "index.html")),
    newestModification(path.join(webRoot, "vite.config.ts")),
    // The UI imports core modules too (types, and pure code shared with the server).
    newestModification(path.join(repositoryRoot, "core")),
  );
  return fs.statSync(builtIndex).mtimeMs < sources;
}

/** Returns the directory to serve, building it first if needed. */
export async function ensureWebBuild(): Promise<string> {
  const release = await lockfile.lock(webRoot, {
    lockfilePath: path.join(os.tmpdir(), "calibrate-web-build.lock"),
    stale: 120_000,
    retries: { retries: 240, minTimeout: 250, maxTimeout: 500 },
  });
  try {
    if (webBuildIsStale()) {
      const { build } = await import("vite");
      // Vitest sets NODE_ENV=test, which Vite would honour with React's development build: the
      // browser tests must run what users get.
      const nodeEnvironment = process.env.NODE_ENV;
      process.env.NODE_ENV = "production";
      try {
        await build({ configFile: path.join(webRoot, "vite.config.ts"), logLevel: "error", mode: "production" });
      } finally {
        process.env.NODE_ENV = nodeEnvironment;
      }
    }
  } finally {
    await release();
  }
  return webDistDirectory;
}
