import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { access, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkModelFile,
  downloadVerified,
  findWhisperModel,
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

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "whisper-models-test-"));
  server = createServer((request, response) => {
    if (request.url === "/ggml-test.bin") {
      response.writeHead(200, { "content-length": served.length });
      response.end(served);
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
    await expect(access(`${destination}.partial`)).rejects.toThrow();
  });

  it("refuses a file whose checksum does not match and leaves nothing behind", async () => {
    const destination = join(directory, "ggml-bad.bin");
    await expect(
      downloadVerified({ url: `${baseUrl}/ggml-test.bin`, destination, expectedSha256: abcSha256 }),
    ).rejects.toThrow(/checksum mismatch .*the file was not kept/);
    expect((await readdir(directory)).filter((name) => name.startsWith("ggml-bad"))).toEqual([]);
  });

  it("fails on an HTTP error", async () => {
    await expect(
      downloadVerified({
        url: `${baseUrl}/missing.bin`,
        destination: join(directory, "x.bin"),
        expectedSha256: abcSha256,
      }),
    ).rejects.toThrow(/HTTP 404/);
  });
});
