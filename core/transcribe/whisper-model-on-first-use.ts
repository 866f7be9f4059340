/**
 * The speech model on first use, as Ollama pulls one: when no WHISPER_MODEL is configured, the first
 * transcription downloads WHISPER_MODEL_NAME into DATA_DIR/models/, resumably and SHA-256 verified
 * (whisper-models.ts), reporting its progress to the job.
 *
 * One download at a time, even with many workers in many processes: the download runs under a
 * file lock (proper-lockfile: an atomic mkdir whose mtime is refreshed while held, so a crashed
 * holder's lock goes stale and is taken over; the `.part` it left is resumed). Others wait, show
 * the progress of the `.part` the holder is writing, and use the file when it appears. In one
 * process, concurrent callers share the same promise.
 *
 * Failures tell the user what to do (the command, WHISPER_MODEL, the mirror). A broken or refused
 * connection is a TransientError — the job retries with backoff and each retry resumes the
 * `.part` — while a 404 or a bad checksum will not pass by retrying and fails the recording at
 * once; the recording's Retry works as soon as the model is there.
 */
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { CalibrateError, TransientError, UnprocessableError } from "../errors.ts";
import { sleep } from "../sleep.ts";
import {
  downloadVerified,
  findWhisperModel,
  ModelDownloadError,
  whisperModelUrl,
  whisperModels,
  type WhisperModelEntry,
} from "./whisper-models.ts";

export interface ModelDownloadProgress {
  receivedBytes: number;
  totalBytes: number | null;
  /** false while another process holds the lock and this one watches its `.part`. */
  downloading: boolean;
}

/** "downloading speech model 143/466 MB": the job's stage while the model comes in. */
export function describeModelDownload({ receivedBytes, totalBytes, downloading }: ModelDownloadProgress): string {
  const megabytes = (bytes: number) => Math.round(bytes / 1_000_000);
  const total = totalBytes ? `/${megabytes(totalBytes)}` : "";
  const verb = downloading ? "downloading" : "waiting for another worker's download of";
  return `${verb} speech model ${megabytes(receivedBytes)}${total} MB`;
}

export interface EnsureWhisperModelOptions {
  /** The catalogue entry of WHISPER_MODEL_NAME (whisperModelEntryOrThrow), with its checksum. */
  model: WhisperModelEntry;
  /** DATA_DIR/models. */
  directory: string;
  /** WHISPER_MODEL_URL: a mirror with the same file names. */
  baseUrl?: string;
  signal?: AbortSignal;
  onProgress?: (progress: ModelDownloadProgress) => void;
  fetch?: typeof fetch;
  /** How often a waiting process looks at the holder's progress. Default 1 s. */
  pollIntervalMs?: number;
  /** proper-lockfile's stale threshold. Default 30 s (the holder refreshes it every 10 s). */
  lockStaleMs?: number;
}

export function whisperModelEntryOrThrow(name: string): WhisperModelEntry {
  const entry = findWhisperModel(name);
  if (!entry) {
    throw new UnprocessableError(
      `WHISPER_MODEL_NAME=${JSON.stringify(name)} is not a model we can download; use one of: ${[...whisperModels.keys()].join(", ")}.`,
    );
  }
  return entry;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

const inFlight = new Map<string, Promise<string>>();

/** Returns the path of the verified model file, downloading it first if needed. */
export async function ensureWhisperModel(options: EnsureWhisperModelOptions): Promise<string> {
  const entry = options.model;
  const destination = join(options.directory, entry.fileName);
  // Only files that passed the checksum are ever renamed into place: presence is proof enough.
  if (await isFile(destination)) return destination;
  const running = inFlight.get(destination);
  if (running) {
    // Same process, another job: share the download (its progress reaches the first caller).
    return running;
  }
  const download = downloadUnderLock(entry, destination, options).finally(() => inFlight.delete(destination));
  inFlight.set(destination, download);
  return download;
}

async function downloadUnderLock(
  entry: WhisperModelEntry,
  destination: string,
  options: EnsureWhisperModelOptions,
): Promise<string> {
  await mkdir(options.directory, { recursive: true });
  const url = whisperModelUrl(entry, options.baseUrl);
  const stale = Math.max(5_000, options.lockStaleMs ?? 30_000);
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  for (;;) {
    options.signal?.throwIfAborted();
    let release: (() => Promise<void>) | null = null;
    try {
      release = await lockfile.lock(destination, {
        realpath: false,
        stale,
        update: Math.floor(stale / 3),
        lockfilePath: `${destination}.lock`,
        // A lost lock only means another process may start downloading too; the rename of a
        // verified file is atomic either way, so do not crash the process over it.
        onCompromised: () => {},
      });
    } catch (error) {
      if ((error as { code?: string }).code !== "ELOCKED") throw error;
    }
    if (!release) {
      // Another process is downloading: show its progress until the file appears or its lock dies.
      const partSize = (await stat(`${destination}.part`).catch(() => null))?.size ?? 0;
      options.onProgress?.({
        receivedBytes: partSize,
        totalBytes: entry.approximateMegabytes * 1_000_000,
        downloading: false,
      });
      await sleep(pollIntervalMs, options.signal);
      if (await isFile(destination)) return destination;
      continue;
    }
    try {
      if (await isFile(destination)) return destination; // Finished while we waited for the lock.
      await downloadVerified({
        url,
        destination,
        expectedSha256: entry.sha256,
        fetch: options.fetch,
        signal: options.signal,
        onProgress: (receivedBytes, totalBytes) =>
          options.onProgress?.({ receivedBytes, totalBytes, downloading: true }),
      });
      return destination;
    } catch (error) {
      if (error instanceof ModelDownloadError) throw modelDownloadFailure(entry, url, destination, error);
      throw error;
    } finally {
      await release().catch(() => {});
    }
  }
}

/** The message the recording shows when it fails: what broke, and three ways out. */
export function modelDownloadFailure(
  entry: WhisperModelEntry,
  url: string,
  destination: string,
  error: ModelDownloadError,
): CalibrateError {
  const what =
    error.kind === "http"
      ? `the server answered HTTP ${error.httpStatus} for ${url}`
      : error.kind === "checksum"
        ? `the file from ${url} did not match its known SHA-256 checksum and was deleted`
        : `${url} could not be reached (${error.message})`;
  const message =
    `The speech model ${entry.fileName} (~${entry.approximateMegabytes} MB) could not be downloaded: ${what}. ` +
    `To fix it, either: run \`npm run whisper:model -- ${entry.name} --directory ${join(destination, "..")}\` on a machine with internet access and copy the file to ${destination}; ` +
    `or set WHISPER_MODEL to the path of a ggml model you already have; ` +
    `or set WHISPER_MODEL_URL to a mirror that serves ${entry.fileName} (e.g. https://hf-mirror.com/ggerganov/whisper.cpp/resolve/main). ` +
    `Then press Retry on this recording.`;
  const details = { model: entry.name, url, destination, reason: error.kind, httpStatus: error.httpStatus };
  // Refused or broken connections may pass (the retry resumes the .part); a 404 or a bad file will not.
  return error.kind === "network"
    ? new TransientError(message, details, { cause: error })
    : new UnprocessableError(message, details, { cause: error });
}
