/**
 * Where uploaded files live. Content-addressed by SHA-256, so the same bytes are stored once and a
 * re-upload is recognised. The interface is small on purpose: an S3-compatible store can implement
 * it (`localPath` would then download to a temporary file for ffmpeg).
 */
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { once } from "node:events";
import { finished } from "node:stream/promises";
import { PayloadTooLargeError, UnprocessableError } from "../errors.ts";

export interface StoredBlob {
  key: string;
  sha256: string;
  byteSize: number;
  /** False when identical content was already stored. */
  created: boolean;
}

/** Bytes received and hashed, not yet in the store (see `blob-references.ts` for why two steps). */
export interface StagedBlob {
  stagingId: string;
  sha256: string;
  byteSize: number;
}

export interface BlobStore {
  /** Streams `source` into a staging file without holding it in memory; enforces `maxBytes`. */
  stage(source: Readable, options: { maxBytes: number }): Promise<StagedBlob>;
  /** Moves a staged file into the store (or drops it when the same content is already there). */
  commit(staged: StagedBlob): Promise<StoredBlob>;
  discard(staged: StagedBlob): Promise<void>;
  /** A local file path for tools such as ffmpeg. */
  localPath(key: string): Promise<string>;
  open(key: string, range?: { start: number; end: number }): Readable;
  size(key: string): Promise<number>;
  remove(key: string): Promise<void>;
  /**
   * Removes staging files nobody has written to for `olderThanMs`: uploads whose process died
   * mid-stream (a live upload keeps writing, and a stalled request is ended long before).
   */
  removeAbandonedStaging(olderThanMs: number): Promise<number>;
}

export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toFixed(1))} ${units[unit]}`;
}

export function createFileSystemBlobStore(root: string): BlobStore {
  const temporary = path.join(root, "tmp");
  const pathOf = (key: string) => {
    if (!/^[a-f0-9]{64}$/.test(key)) throw new Error(`Not a blob key: ${key}`);
    return path.join(root, key.slice(0, 2), key.slice(2, 4), key);
  };
  const stagingPath = (stagingId: string) => {
    if (!/^[0-9a-f-]{36}$/.test(stagingId)) throw new Error(`Not a staging id: ${stagingId}`);
    return path.join(temporary, stagingId);
  };
  return {
    async stage(source, { maxBytes }) {
      // The source may fail before the loop below reads it (a multipart body that ends early fails
      // its file stream at once): an 'error' with no listener would crash the process. The loop
      // still sees the error, since it reads a stream that has failed.
      source.on("error", () => {});
      await mkdir(temporary, { recursive: true });
      const stagingId = randomUUID();
      const temporaryPath = path.join(temporary, stagingId);
      const hash = createHash("sha256");
      let byteSize = 0;
      const file = fs.createWriteStream(temporaryPath, { flags: "wx" });
      try {
        for await (const chunk of source as AsyncIterable<Buffer>) {
          byteSize += chunk.length;
          // Past the limit we keep reading (and discarding) so the client receives our answer
          // instead of a reset connection, but store nothing more.
          if (byteSize > maxBytes) continue;
          hash.update(chunk);
          if (!file.write(chunk)) await once(file, "drain");
        }
        file.end();
        await finished(file);
      } catch (error) {
        // The request was cut mid-stream (or the disk failed): keep nothing of it.
        file.destroy();
        await rm(temporaryPath, { force: true });
        throw error;
      }
      if (byteSize > maxBytes) {
        await rm(temporaryPath, { force: true });
        throw new PayloadTooLargeError(`The file is larger than the limit of ${formatBytes(maxBytes)}.`, { limitBytes: maxBytes }, {
          key: "upload.too_large",
          params: { limit: formatBytes(maxBytes) },
        });
      }
      if (byteSize === 0) {
        await rm(temporaryPath, { force: true });
        throw new UnprocessableError("The file is empty.", undefined, { key: "upload.empty" });
      }
      return { stagingId, sha256: hash.digest("hex"), byteSize };
    },
    async commit(staged) {
      const temporaryPath = stagingPath(staged.stagingId);
      const finalPath = pathOf(staged.sha256);
      const exists = await stat(finalPath).then(() => true, () => false);
      if (exists) {
        await rm(temporaryPath, { force: true });
      } else {
        await mkdir(path.dirname(finalPath), { recursive: true });
        await rename(temporaryPath, finalPath);
      }
      return { key: staged.sha256, sha256: staged.sha256, byteSize: staged.byteSize, created: !exists };
    },
    async discard(staged) {
      await rm(stagingPath(staged.stagingId), { force: true });
    },
    async localPath(key) {
      const file = pathOf(key);
      await stat(file);
      return file;
    },
    open(key, range) {
      return fs.createReadStream(pathOf(key), range);
    },
    async size(key) {
      return (await stat(pathOf(key))).size;
    },
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
    async removeAbandonedStaging(olderThanMs) {
      const names = await readdir(temporary).catch(() => [] as string[]);
      let removed = 0;
      for (const name of names) {
        const file = path.join(temporary, name);
        const modified = await stat(file).then((info) => info.mtimeMs, () => null);
        if (modified === null || Date.now() - modified < olderThanMs) continue;
        await rm(file, { force: true });
        removed += 1;
      }
      return removed;
    },
  };
}
