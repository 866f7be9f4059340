/**
 * The first-use download against a real local HTTP server (never the internet): the lock, waiting
 * for another holder, the errors the user sees.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransientError, UnprocessableError } from "../errors.ts";
import {
  describeModelDownload,
  ensureWhisperModel,
  whisperModelEntryOrThrow,
  type ModelDownloadProgress,
} from "./whisper-model-on-first-use.ts";
import type { WhisperModelEntry } from "./whisper-models.ts";

const run = promisify(execFile);
const served = Buffer.alloc(2_000_000, "weights ");
const model: WhisperModelEntry = {
  name: "test",
  fileName: "ggml-test.bin",
  sha256: createHash("sha256").update(served).digest("hex"),
  approximateMegabytes: 2,
  multilingual: true,
};

let directory: string;
let server: Server;
let baseUrl: string;
let requestCount = 0;
/** Milliseconds between 200 kB slices; 0 sends the file at once. */
let sliceDelayMs = 0;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "model-first-use-test-"));
  server = createServer((request, response) => {
    requestCount += 1;
    if (request.url === "/mirror/ggml-test.bin") {
      response.writeHead(200, { "content-length": served.length });
      if (sliceDelayMs === 0) {
        response.end(served);
        return;
      }
      // Send it in slices, so concurrent callers overlap with the download.
      let offset = 0;
      const timer = setInterval(() => {
        response.write(served.subarray(offset, offset + 200_000));
        offset += 200_000;
        if (offset >= served.length) {
          clearInterval(timer);
          response.end();
        }
      }, sliceDelayMs);
    } else if (request.url === "/wrong/ggml-test.bin") {
      response.writeHead(200, { "content-length": 5 }).end("wrong");
    } else {
      response.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(directory, { recursive: true, force: true });
});

async function freshDirectory(name: string): Promise<string> {
  const path = join(directory, name);
  await mkdir(path, { recursive: true });
  return path;
}

describe("ensureWhisperModel", () => {
  it("downloads once into the models folder, reporting progress; later calls use the file", async () => {
    const models = await freshDirectory("once");
    const progress: ModelDownloadProgress[] = [];
    requestCount = 0;
    const path = await ensureWhisperModel({
      model,
      directory: models,
      baseUrl: `${baseUrl}/mirror/`,
      onProgress: (update) => progress.push(update),
    });
    expect(path).toBe(join(models, "ggml-test.bin"));
    expect((await readFile(path)).equals(served)).toBe(true);
    expect(progress.at(-1)).toEqual({ receivedBytes: served.length, totalBytes: served.length, downloading: true });
    expect(await ensureWhisperModel({ model, directory: models, baseUrl: `${baseUrl}/mirror` })).toBe(path);
    expect(requestCount).toBe(1);
  });

  it("many concurrent callers in one process share one download", async () => {
    const models = await freshDirectory("concurrent");
    requestCount = 0;
    sliceDelayMs = 10;
    try {
      const paths = await Promise.all(
        Array.from({ length: 4 }, () => ensureWhisperModel({ model, directory: models, baseUrl: `${baseUrl}/mirror` })),
      );
      expect(new Set(paths).size).toBe(1);
      expect(requestCount).toBe(1);
    } finally {
      sliceDelayMs = 0;
    }
  });

  it("while another process holds the lock, waits, shows that download's progress, and uses its file", async () => {
    const models = await freshDirectory("other-process");
    const destination = join(models, "ggml-test.bin");
    // Stand in for another worker process: the same lock, and a .part it is writing.
    const release = await lockfile.lock(destination, { realpath: false, lockfilePath: `${destination}.lock`, stale: 10_000 });
    await writeFile(`${destination}.part`, served.subarray(0, 500_000));
    requestCount = 0;
    const progress: ModelDownloadProgress[] = [];
    const waiting = ensureWhisperModel({
      model,
      directory: models,
      baseUrl: `${baseUrl}/mirror`,
      pollIntervalMs: 20,
      onProgress: (update) => progress.push(update),
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(progress[0]).toEqual({ receivedBytes: 500_000, totalBytes: 2_000_000, downloading: false });
    // The other process finishes.
    await writeFile(destination, served);
    await rm(`${destination}.part`);
    await release();
    expect(await waiting).toBe(destination);
    expect(requestCount).toBe(0);
  });

  it("separate processes download once: one holds the lock, the others wait for its file", { timeout: 120_000 }, async () => {
    const models = await freshDirectory("processes");
    requestCount = 0;
    // A 4 s download, so processes that start a moment apart overlap with it.
    sliceDelayMs = 400;
    const script = join(directory, "ensure-in-a-process.mts");
    await writeFile(
      script,
      [
        `import { ensureWhisperModel } from ${JSON.stringify(join(import.meta.dirname, "whisper-model-on-first-use.ts"))};`,
        `const model = ${JSON.stringify(model)};`,
        `let waited = false;`,
        `const path = await ensureWhisperModel({ model, directory: ${JSON.stringify(models)}, baseUrl: ${JSON.stringify(`${baseUrl}/mirror`)}, pollIntervalMs: 50, onProgress: (p) => { if (!p.downloading) waited = true; } });`,
        `console.log(JSON.stringify({ path, waited }));`,
      ].join("\n"),
    );
    try {
      const outputs = await Promise.all(
        Array.from({ length: 3 }, () =>
          run(process.execPath, ["--import", "tsx", script], { cwd: join(import.meta.dirname, "../..") }).then(
            ({ stdout }) => JSON.parse(stdout) as { path: string; waited: boolean },
          ),
        ),
      );
      expect(outputs.map((output) => output.path)).toEqual(Array(3).fill(join(models, "ggml-test.bin")));
      expect(requestCount).toBe(1);
      // At least one process found the lock taken and watched the holder's progress.
      expect(outputs.some((output) => output.waited)).toBe(true);
      expect((await readFile(join(models, "ggml-test.bin"))).equals(served)).toBe(true);
    } finally {
      sliceDelayMs = 0;
    }
  });

  it("the job's stage reads like a progress bar", () => {
    expect(describeModelDownload({ receivedBytes: 143_200_000, totalBytes: 465_900_000, downloading: true })).toBe(
      "downloading speech model 143/466 MB",
    );
    expect(describeModelDownload({ receivedBytes: 5_000_000, totalBytes: null, downloading: false })).toBe(
      "waiting for another worker's download of speech model 5 MB",
    );
  });

  it("a 404 fails for good, naming the command, WHISPER_MODEL and WHISPER_MODEL_URL", async () => {
    const models = await freshDirectory("missing");
    const error = await ensureWhisperModel({ model, directory: models, baseUrl: `${baseUrl}/nowhere` }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableError);
    const message = (error as Error).message;
    expect(message).toMatch(/HTTP 404/);
    expect(message).toContain("npm run whisper:model -- test");
    expect(message).toMatch(/WHISPER_MODEL to the path/);
    expect(message).toMatch(/WHISPER_MODEL_URL/);
    expect(message).toMatch(/Retry/);
  });

  it("a wrong checksum fails for good and keeps nothing", async () => {
    const models = await freshDirectory("wrong");
    const error = await ensureWhisperModel({ model, directory: models, baseUrl: `${baseUrl}/wrong` }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as Error).message).toMatch(/did not match its known SHA-256/);
    await expect(readFile(join(models, "ggml-test.bin"))).rejects.toThrow();
    await expect(readFile(join(models, "ggml-test.bin.part"))).rejects.toThrow();
  });

  it("offline (connection refused) is transient, so the job retries, and says what to do", async () => {
    const models = await freshDirectory("offline");
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await ensureWhisperModel({ model, directory: models, baseUrl: `http://127.0.0.1:${port}` }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/could not be reached \(.*ECONNREFUSED/);
    expect((error as Error).message).toMatch(/WHISPER_MODEL_URL/);
  });

  it("names the models it knows when WHISPER_MODEL_NAME is not one", () => {
    expect(() => whisperModelEntryOrThrow("huge")).toThrow(/not a model we can download; use one of: tiny, .*small/);
    expect(whisperModelEntryOrThrow("Small").fileName).toBe("ggml-small.bin");
  });
});
