/**
 * Who still needs a content-addressed file. Identical bytes are stored once, so one file can belong
 * to several recordings — and to uploads still in flight that have no recording row yet. An upload
 * holds a lease from the moment its file is in the store until its row is written (or it fails);
 * a file is removed only when no recording and no lease refers to it, decided under a per-file
 * advisory lock in the same transaction that takes or drops leases. Without this, of two identical
 * uploads at once, the one failing validation could remove the file from under the other.
 */
import type { Db, Queryable } from "../db/database.ts";
import type { BlobStore, StoredBlob } from "./blob-store.ts";
import type { Readable } from "node:stream";

export interface LeasedBlob extends StoredBlob {
  leaseId: string;
}

async function lockKey(transaction: Queryable, key: string): Promise<void> {
  await transaction.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7310442019))", [key]);
}

/**
 * Streams an upload into the store and leases its file for this request. The lease is committed
 * before the file moves into the store: should the database fail at COMMIT, nothing is in the store
 * (before, the file was already there, with its lease rolled back — belonging to nobody); should the
 * process die between the two, the sweep ends the lease (`sweepAbandonedUploads`).
 */
export async function receiveBlob(deps: { db: Db; blobs: BlobStore }, source: Readable, options: { maxBytes: number }): Promise<LeasedBlob> {
  const staged = await deps.blobs.stage(source, options);
  let leaseId: string;
  try {
    leaseId = await deps.db.transaction(async (transaction) => {
      await lockKey(transaction, staged.sha256);
      const { rows } = await transaction.query<{ id: string }>("INSERT INTO blob_leases (storage_key) VALUES ($1) RETURNING id", [staged.sha256]);
      return rows[0].id;
    });
  } catch (error) {
    await deps.blobs.discard(staged);
    throw error;
  }
  try {
    // A removal of the same file by another request cannot slip in now: it would see the lease.
    return { ...(await deps.blobs.commit(staged)), leaseId };
  } catch (error) {
    await deps.blobs.discard(staged);
    // Best effort: when the database is unreachable now, the sweep ends the lease later.
    await releaseBlob(deps, { key: staged.sha256, sha256: staged.sha256, byteSize: staged.byteSize, created: false, leaseId }, { keep: false }).catch(() => {});
    throw error;
  }
}

/**
 * Ends the request's lease. `keep`: its recording row now refers to the file. Otherwise the file goes
 * too, unless a recording or another upload in flight still refers to it.
 */
export async function releaseBlob(deps: { db: Db; blobs: BlobStore }, blob: LeasedBlob, options: { keep: boolean }): Promise<void> {
  await deps.db.transaction(async (transaction) => {
    await lockKey(transaction, blob.key);
    await transaction.query("DELETE FROM blob_leases WHERE id = $1", [blob.leaseId]);
    if (!options.keep) await removeIfUnused(transaction, deps.blobs, blob.key);
  });
}

/** Removes the file when nothing refers to it any more. Call inside a transaction; takes the file's lock. */
export async function removeIfUnused(transaction: Queryable, blobs: BlobStore, key: string): Promise<boolean> {
  await lockKey(transaction, key);
  const { rows } = await transaction.query(
    `SELECT 1 FROM recordings WHERE storage_key = $1
     UNION ALL SELECT 1 FROM blob_leases WHERE storage_key = $1 LIMIT 1`,
    [key],
  );
  if (rows.length > 0) return false;
  await blobs.remove(key);
  return true;
}

/**
 * Ends what a process that died mid-upload left behind (kill -9, a crash, the database connection
 * lost while it released its lease): leases older than `olderThanMs` — a lease only covers probing
 * the file and writing the row, seconds — with their file when nothing else refers to it, and
 * staging files nobody has written to for as long.
 */
export async function sweepAbandonedUploads(deps: { db: Db; blobs: BlobStore }, options: { olderThanMs: number }): Promise<{ leases: number; stagingFiles: number }> {
  const { rows } = await deps.db.query<{ id: string; storageKey: string }>(
    `SELECT id, storage_key AS "storageKey" FROM blob_leases WHERE created_at < now() - make_interval(secs => $1::double precision / 1000)`,
    [options.olderThanMs],
  );
  for (const lease of rows) {
    await deps.db.transaction(async (transaction) => {
      await lockKey(transaction, lease.storageKey);
      await transaction.query("DELETE FROM blob_leases WHERE id = $1", [lease.id]);
      await removeIfUnused(transaction, deps.blobs, lease.storageKey);
    });
  }
  return { leases: rows.length, stagingFiles: await deps.blobs.removeAbandonedStaging(options.olderThanMs) };
}
