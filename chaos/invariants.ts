/**
 * What must hold after every fault, read from the database and the blob store themselves: every
 * accepted upload is there with its file and reached `ready` exactly once (one transcript, one
 * draft per transcript); nothing is left behind (files no row refers to, staging files, rows nobody
 * was told about, unfinished jobs, upload leases, review leases on decided items); no decision lost.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import pg from "pg";

export interface Expectations {
  /** Recording ids the client was told about (201, or 200 for a recognised re-upload). */
  recordingIds: Set<string>;
  decisionIds: Set<string>;
}

export interface InvariantReport {
  lost: number;
  duplicated: number;
  orphans: number;
  problems: string[];
}

export async function checkInvariants(databaseUrl: string, storageDirectory: string, expected: Expectations): Promise<InvariantReport> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const problems: string[] = [];
  let lost = 0;
  let duplicated = 0;
  let orphans = 0;
  try {
    const ids = [...expected.recordingIds];
    const recordings = await client.query<{ id: string; status: string; failure_reason: string | null; storage_key: string | null; byte_size: string; transcripts: number; drafts: number }>(
      `SELECT r.id, r.status, r.failure_reason, r.storage_key, r.byte_size,
              (SELECT count(*)::int FROM transcripts t WHERE t.recording_id = r.id) AS transcripts,
              (SELECT count(*)::int FROM drafts d WHERE d.recording_id = r.id) AS drafts
         FROM recordings r`,
    );
    const byId = new Map(recordings.rows.map((row) => [row.id, row]));
    for (const id of ids) {
      const row = byId.get(id);
      if (!row) {
        lost += 1;
        problems.push(`recording ${id} was accepted but has no row`);
        continue;
      }
      if (row.status !== "ready") {
        lost += 1;
        problems.push(`recording ${id} is ${row.status}${row.failure_reason ? ` (${row.failure_reason})` : ""}`);
      } else if (row.transcripts !== 1 || row.drafts !== 1) {
        if (row.transcripts > 1 || row.drafts > 1) duplicated += 1;
        else lost += 1;
        problems.push(`recording ${id} has ${row.transcripts} transcript(s) and ${row.drafts} draft(s)`);
      }
      if (row.storage_key) {
        const file = blobPath(storageDirectory, row.storage_key);
        if (!existsSync(file) || statSync(file).size !== Number(row.byte_size)) {
          lost += 1;
          problems.push(`recording ${id}: its file ${row.storage_key} is missing or truncated`);
        }
      }
    }
    for (const row of recordings.rows) {
      if (!expected.recordingIds.has(row.id)) {
        orphans += 1;
        problems.push(`recording ${row.id} (${row.status}) exists but no client was told about it`);
      }
    }
    const duplicateDrafts = await client.query<{ transcript_id: string; count: number }>(
      "SELECT transcript_id, count(*)::int AS count FROM drafts GROUP BY transcript_id HAVING count(*) > 1",
    );
    for (const row of duplicateDrafts.rows) problems.push(`transcript ${row.transcript_id} has ${row.count} drafts`);

    const referenced = new Set(recordings.rows.map((row) => row.storage_key).filter((key): key is string => key !== null));
    for (const file of listBlobs(storageDirectory)) {
      if (!referenced.has(path.basename(file))) {
        orphans += 1;
        problems.push(`file ${path.relative(storageDirectory, file)} belongs to no recording`);
      }
    }
    const staging = path.join(storageDirectory, "tmp");
    if (existsSync(staging)) {
      for (const name of readdirSync(staging)) {
        orphans += 1;
        problems.push(`staging file tmp/${name} was left behind`);
      }
    }
    const leases = await client.query<{ count: number }>("SELECT count(*)::int AS count FROM blob_leases");
    if (leases.rows[0].count > 0) {
      orphans += leases.rows[0].count;
      problems.push(`${leases.rows[0].count} upload lease(s) left in blob_leases`);
    }
    const reviewLeases = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM review_leases l JOIN draft_items i ON i.id = l.draft_item_id WHERE i.status <> 'pending'`,
    );
    if (reviewLeases.rows[0].count > 0) {
      orphans += reviewLeases.rows[0].count;
      problems.push(`${reviewLeases.rows[0].count} review lease(s) on items already decided`);
    }
    const unfinished = await client.query<{ queue: string; state: string; count: number }>(
      "SELECT queue, state, count(*)::int AS count FROM jobs WHERE state IN ('queued', 'active', 'failed') GROUP BY queue, state",
    );
    for (const row of unfinished.rows) {
      orphans += row.count;
      problems.push(`${row.count} ${row.queue} job(s) ${row.state}`);
    }
    const decisions = await client.query<{ id: string }>("SELECT id FROM decisions WHERE id = ANY($1::uuid[])", [[...expected.decisionIds]]);
    const found = new Set(decisions.rows.map((row) => row.id));
    for (const id of expected.decisionIds) {
      if (!found.has(id)) {
        lost += 1;
        problems.push(`decision ${id} was accepted but is gone`);
      }
    }
  } finally {
    await client.end();
  }
  return { lost, duplicated, orphans, problems };
}

/**
 * What is still under way: recordings not final, jobs to run, and upload leases and staging files
 * (which the API sweeps once they are older than UPLOAD_ABANDONED_AFTER_MS). The suite waits for zero.
 */
export async function unsettled(databaseUrl: string, storageDirectory: string, recordingIds: Iterable<string>): Promise<number> {
  const staging = path.join(storageDirectory, "tmp");
  const stagingFiles = existsSync(staging) ? readdirSync(staging).length : 0;
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: number }>(
      `SELECT (SELECT count(*) FROM recordings WHERE id = ANY($1::uuid[]) AND status NOT IN ('ready', 'failed'))::int
            + (SELECT count(*) FROM jobs WHERE state IN ('queued', 'active'))::int
            + (SELECT count(*) FROM blob_leases)::int AS count`,
      [[...recordingIds]],
    );
    return rows[0].count + stagingFiles;
  } finally {
    await client.end();
  }
}

function blobPath(root: string, key: string): string {
  return path.join(root, key.slice(0, 2), key.slice(2, 4), key);
}

function listBlobs(root: string): string[] {
  const files: string[] = [];
  if (!existsSync(root)) return files;
  for (const first of readdirSync(root)) {
    if (!/^[0-9a-f]{2}$/.test(first)) continue;
    for (const second of readdirSync(path.join(root, first))) {
      for (const name of readdirSync(path.join(root, first, second))) files.push(path.join(root, first, second, name));
    }
  }
  return files;
}
