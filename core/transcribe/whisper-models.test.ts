import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { access, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkModelFile,
  downloadVerified,
  findWhisperModel,
  ModelDownloadError,
  sha256OfFile,
  whisperModelUrl,
  whisperModels,
} from "./whisper-models.ts";

// FIPS 180-2 test vector: SHA-256("abc").
const abcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

let directory: string;
let server: Server;
let baseUrl: string;
const served = Buffer.alloc(300_000, "model bytes ");
const servedSha256 = createHash("sha256").update(served).digest("hex");
const requests: Array<{ url: string; range: string | null }> = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "whisper-models-test-"));
  server = createServer((request, response) => {
    requests.push({ url: request.url ?? "", range: request.headers.range ?? null });
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
    if (request.url === "/ggml-test.bin" || request.url === "/no-range/ggml-test.bin") {
      if (range && request.url === "/ggml-test.bin") {
        const start = Number(range[1]);
        if (start >= served.length) {
          response.writeHead(416, { "content-range": `bytes */${served.length}` }).end();
          return;
        }
        response.writeHead(206, {
          "content-length": served.length - start,
          "content-range": `bytes ${start}-${served.length - 1}/${served.length}`,
        });
        response.end(served.subarray(start));
        return;
      }
      response.writeHead(200, { "content-length": served.length });
      response.end(served);
    } else if (request.url === "/broken/ggml-test.bin") {
      // Promises the whole file, sends a third, then the connection drops.
      response.writeHead(200, { "content-length": served.length });
      // A clean FIN (not a reset, which may drop bytes already sent): all 100 000 bytes arrive.
      response.write(served.subarray(0, 100_000), () => response.socket?.end());
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

describe("model catalogue", () => {
  it("every entry has a 64-hex SHA-256 and the Hugging Face URL", () => {
    expect(whisperModels.size).toBeGreaterThanOrEqual(4);
    for (const entry of whisperModels.values()) {
      expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(whisperModelUrl(entry)).toBe(
        `https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-${entry.name}.bin`,
      );
    }
    expect(new Set([...whisperModels.values()].map((entry) => entry.sha256)).size).toBe(
      whisperModels.size,
    );
  });

  it("finds models by name, case-insensitively", () => {
    expect(findWhisperModel(" Base ")).toMatchObject({
      fileName: "ggml-base.bin",
      multilingual: true,
    });
    expect(findWhisperModel("base.en")).toMatchObject({ multilingual: false });
    expect(findWhisperModel("huge")).toBeNull();
  });
});

describe("checksum verification of local files", () => {
  it("hashes a file by streaming", async () => {
    const path = join(directory, "abc.bin");
    await writeFile(path, "abc");
    expect(await sha256OfFile(path)).toBe(abcSha256);
  });

  it("valid, mismatch and missing", async () => {
    const path = join(directory, "ggml-check.bin");
    await writeFile(path, "abc");
    expect(await checkModelFile(path, abcSha256.toUpperCase())).toEqual({
      status: "valid",
      sha256: abcSha256,
    });
    await writeFile(path, "abd");
    expect(await checkModelFile(path, abcSha256)).toMatchObject({
      status: "mismatch",
      expected: abcSha256,
    });
    expect(await checkModelFile(join(directory, "absent.bin"), abcSha256)).toEqual({
      status: "missing",
    });
  });
});

describe("downloadVerified (local HTTP server, no internet)", () => {
  it("keeps the file when the checksum matches, reporting progress", async () => {
    const destination = join(directory, "ggml-good.bin");
    const progress: number[] = [];
    const result = await downloadVerified({
      url: `${baseUrl}/ggml-test.bin`,
      destination,
      expectedSha256: createHash("sha256").update(served).digest("hex"),
      onProgress: (received) => progress.push(received),
    });
    expect(result.bytes).toBe(served.length);
    expect((await readFile(destination)).equals(served)).toBe(true);
    expect(progress.at(-1)).toBe(served.length);
    await expect(access(`${destination}.part`)).rejects.toThrow();
  });

  it("refuses a file whose checksum does not match and leaves nothing behind", async () => {
    const destination = join(directory, "ggml-bad.bin");
    await expect(
      downloadVerified({ url: `${baseUrl}/ggml-test.bin`, destination, expectedSha256: abcSha256 }),
    ).rejects.toThrow(/checksum mismatch .*the file was not kept/);
    expect((await readdir(directory)).filter((name) => name.startsWith("ggml-bad"))).toEqual([]);
  });

  it("a connection broken mid-way keeps the .part; the next call resumes it with a Range request", async () => {
    const destination = join(directory, "ggml-resumed.bin");
    const broken = await downloadVerified({
      url: `${baseUrl}/broken/ggml-test.bin`,
      destination,
      expectedSha256: servedSha256,
    }).catch((error: unknown) => error);
    expect(broken).toBeInstanceOf(ModelDownloadError);
    expect(broken).toMatchObject({ kind: "network" });
    // What reached the disk before the error (the client may drop a last buffered chunk).
    const kept = (await stat(`${destination}.part`)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(100_000);

    requests.length = 0;
    const progress: Array<[number, number | null]> = [];
    const result = await downloadVerified({
      url: `${baseUrl}/ggml-test.bin`,
      destination,
      expectedSha256: servedSha256,
      onProgress: (received, total) => progress.push([received, total]),
    });
    expect(requests).toEqual([{ url: "/ggml-test.bin", range: `bytes=${kept}-` }]);
    expect(result).toMatchObject({ bytes: served.length, resumedFrom: kept, sha256: servedSha256 });
    expect(progress[0][0]).toBeGreaterThan(kept);
    expect(progress.at(-1)).toEqual([served.length, served.length]);
    expect((await readFile(destination)).equals(served)).toBe(true);
    await expect(access(`${destination}.part`)).rejects.toThrow();
  });

  it("a server that ignores Range sends the whole file again, which replaces the .part", async () => {
    const destination = join(directory, "ggml-no-range.bin");
    await writeFile(`${destination}.part`, "stale bytes from another file");
    const result = await downloadVerified({
      url: `${baseUrl}/no-range/ggml-test.bin`,
      destination,
      expectedSha256: servedSha256,
    });
    expect(result.resumedFrom).toBe(0);
    expect((await readFile(destination)).equals(served)).toBe(true);
  });

  it("a .part that is already whole (HTTP 416) is verified as it is", async () => {
    const destination = join(directory, "ggml-whole.bin");
    await writeFile(`${destination}.part`, served);
    const result = await downloadVerified({ url: `${baseUrl}/ggml-test.bin`, destination, expectedSha256: servedSha256 });
    expect(result).toMatchObject({ bytes: served.length, sha256: servedSha256 });
    expect((await readFile(destination)).equals(served)).toBe(true);
  });

  it("a resumed download whose bytes do not add up to the checksum is deleted, .part included", async () => {
    const destination = join(directory, "ggml-bad-resume.bin");
    await writeFile(`${destination}.part`, Buffer.alloc(100_000, "other bytes "));
    await expect(
      downloadVerified({ url: `${baseUrl}/ggml-test.bin`, destination, expectedSha256: servedSha256 }),
    ).rejects.toMatchObject({ kind: "checksum" });
    expect((await readdir(directory)).filter((name) => name.startsWith("ggml-bad-resume"))).toEqual([]);
  });

  it("fails on an HTTP error", async () => {
    await expect(
      downloadVerified({
        url: `${baseUrl}/missing.bin`,
        destination: join(directory, "x.bin"),
        expectedSha256: abcSha256,
      }),
    ).rejects.toMatchObject({ kind: "http", httpStatus: 404, message: expect.stringMatching(/HTTP 404/) });
  });
});
