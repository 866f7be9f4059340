/**
 * Embeddings in pgvector, for few-shot retrieval (approved samples) and talk-track retrieval. The
 * dimension belongs to the embedder: every row records its embedder and dimension, and each
 * dimension in use has its own partial HNSW index (cosine). Queries name the same expression as
 * the index, so the planner can use it.
 *
 * The index holds the vectors as `halfvec` (16-bit floats): half the size of a `vector` index
 * (112 MB instead of 195 MB at 100k × 384, so it fits in PostgreSQL's default 128 MB of shared
 * buffers) and quicker to build, with the same recall@10; rows keep full precision, and the
 * similarity returned is computed from them.
 *
 * Retrieval routes by how selective its filter is (`nearestNeighbours`): up to 5,000 matching rows
 * it searches them exactly, index-only over a covering b-tree (migration 018); above, through
 * HNSW. An HNSW scan with a selective filter walks the graph for rows that pass it: 2 % of the
 * table cost recall 0.91 and p95 17–63 ms. Routed, the app's four retrievals reach recall@10 1.0
 * each, p50/p95 3.0/4.9 ms at load average ~7 (5.4/12.9 at 13.5) on 100k × 384, PostgreSQL.
 * Index-only scans need a vacuumed table: PGlite has no autovacuum (see bench/README.md). What
 * else was measured, and what did not help: bench/vectors.ts and the "Vector retrieval" section
 * of bench/README.md.
 */
import { createHash } from "node:crypto";
import type { Queryable } from "../db/database.ts";
import { valuesList } from "../db/values-list.ts";
import type { Embedder } from "../engine/index.ts";
import { ValidationError } from "../errors.ts";

export type { Embedder } from "../engine/index.ts";

export type EmbeddingSource = "segment" | "sample" | "talk_track" | "example";

export interface EmbeddingItem {
  workspaceId: string;
  sourceType: EmbeddingSource;
  sourceKey: string;
  recordingId?: string | null;
  text: string;
  label?: string | null;
  customerStage?: string | null;
  approved?: boolean;
  payload?: Record<string, unknown>;
}

export interface Neighbour {
  sourceKey: string;
  text: string;
  label: string | null;
  customerStage: string | null;
  payload: Record<string, unknown>;
  similarity: number;
}

const maximumIndexedDimensions = 4000; // pgvector's HNSW limit for `halfvec`

export function vectorLiteral(vector: readonly number[]): string {
  return `[${vector.map((value) => (Number.isFinite(value) ? value : 0)).join(",")}]`;
}

function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function checkDimensions(dimensions: number): void {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > maximumIndexedDimensions) {
    throw new ValidationError(`Embeddings of ${dimensions} dimensions cannot be indexed (1–${maximumIndexedDimensions}).`);
  }
}

/** What the HNSW indexes hold, and so what queries order by (see the top of the file). */
export const indexedVectorType = "halfvec";

/** The name of a dimension's index (migration 015 renamed them when they became `halfvec`). */
export function vectorIndexName(dimensions: number): string {
  return `embeddings_hnsw_${indexedVectorType}_${dimensions}`;
}

/**
 * The covering b-tree that exact search reads for a dimension: the approved rows' filter columns,
 * with their ids and vectors, so that search is an index-only scan (migration 018).
 */
export function exactSearchIndexName(dimensions: number): string {
  return `embeddings_exact_${dimensions}`;
}

/**
 * Up to this many dimensions a vector fits in a b-tree entry (at most 2,704 bytes, of which the
 * vector takes 4 per dimension, plus the filter columns); larger embedders get no covering index,
 * and their exact search reads the rows from the table.
 */
export const maximumCoveredDimensions = 512;

/**
 * Creates the HNSW index for a dimension the first time an embedder of that size is used, and the
 * covering b-tree for exact search when the vectors fit in one (`maximumCoveredDimensions`).
 * pgvector's defaults (m 16, ef_construction 64) are written out: m 8 lost recall, and m 24 with
 * ef_construction 128 took four times as long to build for little more (bench/vectors.ts).
 */
export async function ensureVectorIndex(db: Queryable, dimensions: number): Promise<void> {
  checkDimensions(dimensions);
  await db.exec(
    `CREATE INDEX IF NOT EXISTS ${vectorIndexName(dimensions)} ON embeddings
     USING hnsw ((embedding::${indexedVectorType}(${dimensions})) ${indexedVectorType}_cosine_ops) WITH (m = 16, ef_construction = 64)
     WHERE dimensions = ${dimensions}`,
  );
  if (dimensions <= maximumCoveredDimensions) {
    await db.exec(
      `CREATE INDEX IF NOT EXISTS ${exactSearchIndexName(dimensions)} ON embeddings
       (workspace_id, embedder, source_type, customer_stage, (payload->>'moment')) INCLUDE (id, embedding)
       WHERE approved AND dimensions = ${dimensions}`,
    );
  }
}

/**
 * Embeds and stores items; rows whose text (and embedder) did not change are not embedded again.
 * Returns how many were (re-)embedded.
 */
export async function upsertEmbeddings(db: Queryable, embedder: Embedder, given: EmbeddingItem[]): Promise<number> {
  // The last item for a key wins; one statement cannot upsert the same row twice.
  const items = [...new Map(given.map((item) => [`${item.sourceType}:${item.sourceKey}`, item])).values()];
  if (items.length === 0) return 0;
  checkDimensions(embedder.dimensions);
  const existing = await db.query<{ key: string; hash: string }>(
    `SELECT source_type || ':' || source_key AS key, content_hash AS hash FROM embeddings
     WHERE workspace_id = $1 AND embedder = $2 AND (source_type || ':' || source_key) = ANY($3::text[])`,
    [items[0].workspaceId, embedder.name, items.map((item) => `${item.sourceType}:${item.sourceKey}`)],
  );
  const known = new Map(existing.rows.map((row) => [row.key, row.hash]));
  const stale = items.filter((item) => known.get(`${item.sourceType}:${item.sourceKey}`) !== contentHash(item.text));
  // Metadata (label, approval) may change without the text changing: one statement per batch, and
  // rows whose metadata is unchanged are not written (every start re-checks the shipped seeds).
  const fresh = items.filter((item) => !stale.includes(item));
  for (let offset = 0; offset < fresh.length; offset += 500) {
    const { sql, params } = valuesList(
      fresh.slice(offset, offset + 500).map((item) => [item.sourceType, item.sourceKey, item.label ?? null, item.customerStage ?? null,
        item.approved ?? false, JSON.stringify(item.payload ?? {})]),
      ["", "", "", "", "::boolean", "::jsonb"],
    );
    await db.query(
      `UPDATE embeddings e SET label = v.label, customer_stage = v.customer_stage, approved = v.approved, payload = v.payload
       FROM (VALUES ${sql}) AS v (source_type, source_key, label, customer_stage, approved, payload)
       WHERE e.workspace_id = $${params.length + 1} AND e.embedder = $${params.length + 2}
         AND e.source_type = v.source_type AND e.source_key = v.source_key
         AND (e.label IS DISTINCT FROM v.label OR e.customer_stage IS DISTINCT FROM v.customer_stage
              OR e.approved IS DISTINCT FROM v.approved OR e.payload IS DISTINCT FROM v.payload)`,
      [...params, items[0].workspaceId, embedder.name],
    );
  }
  for (let offset = 0; offset < stale.length; offset += 256) {
    const batch = stale.slice(offset, offset + 256);
    const vectors = await embedder.embed(batch.map((item) => item.text));
    const { sql, params } = valuesList(
      batch.map((item, index) => [
        item.workspaceId, item.sourceType, item.sourceKey, item.recordingId ?? null, embedder.name, embedder.dimensions,
        contentHash(item.text), item.text, item.label ?? null, item.customerStage ?? null, item.approved ?? false,
        JSON.stringify(item.payload ?? {}), vectorLiteral(vectors[index]),
      ]),
      [...new Array<string>(12).fill(""), "::vector"],
    );
    await db.query(
      `INSERT INTO embeddings (workspace_id, source_type, source_key, recording_id, embedder, dimensions, content_hash, text,
         label, customer_stage, approved, payload, embedding)
       VALUES ${sql}
       ON CONFLICT (workspace_id, source_type, source_key, embedder) DO UPDATE SET
         recording_id = excluded.recording_id, dimensions = excluded.dimensions, content_hash = excluded.content_hash,
         text = excluded.text, label = excluded.label, customer_stage = excluded.customer_stage,
         approved = excluded.approved, payload = excluded.payload, embedding = excluded.embedding, created_at = now()`,
      params,
    );
  }
  return stale.length;
}

/**
 * Filters that let through at most this many rows are answered exactly (every matching row's
 * full-precision distance, read from the covering b-tree); larger ones through the HNSW index.
 * Chosen in bench/vectors.ts: exact search costs ~1.3 µs per matching row, and at about 5,000
 * rows it takes as long as the HNSW branch, which below ~10 % of the table also loses recall.
 */
export const exactSearchMaximumRows = 5_000;

/**
 * Nearest neighbours by cosine similarity, in one statement that routes by how selective the filter
 * is: it counts the matching rows up to `exactSearchMaximumRows` + 1 (index-only, on the small
 * b-tree of migration 018), and exactly one of two branches runs — PostgreSQL turns a condition on
 * that count into a one-time filter, so the other branch is never executed. The condition sits
 * outside each branch's LIMIT, above any Gather: inside it, the exact branch of a large filter
 * planned as a parallel scan launched its workers (~10 ms) before the filter stopped it.
 * - up to the cap, exact search: the distance of every matching row, read from the covering b-tree
 *   (`exactSearchIndexName`), ordered by the full-precision `vector` distance, which no index serves;
 * - above it, the HNSW index of the embedder's dimension (ordered by the indexed `halfvec`
 *   distance). The connection's `hnsw.iterative_scan` (core/db/database.ts) keeps that scan going
 *   while the filter leaves fewer than `limit` rows; in relaxed order it may hand them back
 *   slightly out of order.
 * The rows found are read by id and sorted by their full-precision similarity.
 */
export async function nearestNeighbours(
  db: Queryable,
  query: {
    workspaceId: string;
    embedder: Pick<Embedder, "name" | "dimensions">;
    vector: readonly number[];
    sourceType: EmbeddingSource;
    approvedOnly?: boolean;
    customerStage?: string | null;
    label?: string | null;
    moment?: string | null;
    limit: number;
    /** Filters with at most this many rows are searched exactly (default `exactSearchMaximumRows`). */
    exactSearchMaximumRows?: number;
  },
): Promise<Neighbour[]> {
  const dimensions = query.embedder.dimensions;
  checkDimensions(dimensions);
  if (query.vector.length !== dimensions) {
    throw new ValidationError(`The query vector has ${query.vector.length} dimensions; the embedder has ${dimensions}.`);
  }
  const exactMaximum = query.exactSearchMaximumRows ?? exactSearchMaximumRows;
  if (!Number.isInteger(exactMaximum) || exactMaximum < 0) {
    throw new ValidationError(`exactSearchMaximumRows must be a whole number ≥ 0, not ${exactMaximum}.`);
  }
  const conditions = ["dimensions = " + dimensions, "workspace_id = $2", "embedder = $3", "source_type = $4"];
  const params: unknown[] = [vectorLiteral(query.vector), query.workspaceId, query.embedder.name, query.sourceType];
  if (query.approvedOnly) conditions.push("approved");
  if (query.customerStage) {
    params.push(query.customerStage);
    conditions.push(`customer_stage = $${params.length}`);
  }
  if (query.moment) {
    params.push(query.moment);
    conditions.push(`payload->>'moment' = $${params.length}`);
  }
  params.push(query.limit, exactMaximum);
  const limit = `$${params.length - 1}`;
  const maximum = `$${params.length}::bigint`;
  const where = conditions.join(" AND ");
  const full = `vector(${dimensions})`;
  const indexed = `${indexedVectorType}(${dimensions})`;
  const { rows } = await db.query<Neighbour>(
    `WITH matching AS MATERIALIZED (
       SELECT count(*) AS rows FROM (SELECT FROM embeddings WHERE ${where} LIMIT ${maximum} + 1) up_to_the_cap
     ),
     exact AS MATERIALIZED (
       SELECT id FROM (
         SELECT id, embedding::${full} <=> $1::${full} AS distance FROM embeddings WHERE ${where} ORDER BY distance LIMIT ${limit}
       ) nearest WHERE (SELECT rows FROM matching) <= ${maximum}
     ),
     approximate AS MATERIALIZED (
       SELECT id FROM (
         SELECT id, embedding::${indexed} <=> $1::${indexed} AS distance FROM embeddings WHERE ${where} ORDER BY distance LIMIT ${limit}
       ) nearest WHERE (SELECT rows FROM matching) > ${maximum}
     )
     SELECT found.source_key AS "sourceKey", found.text, found.label, found.customer_stage AS "customerStage", found.payload,
            1 - (found.embedding::${full} <=> $1::${full}) AS similarity
     FROM (SELECT id FROM exact UNION ALL SELECT id FROM approximate) nearest JOIN embeddings found ON found.id = nearest.id
     ORDER BY similarity DESC, found.source_key`,
    params,
  );
  return rows.map((row) => ({ ...row, similarity: Number(row.similarity) }));
}

/**
 * Utterances that stand for a whole call when looking up similar samples: all of a short call, and
 * of a long one `limit` spread evenly from start to end (not its first minutes only). Embedding
 * every utterance of an hour-long call on each invocation costs milliseconds of CPU with the local
 * embedder and tokens with a remote one, for a centroid that barely moves.
 */
export function representativeTexts(segments: ReadonlyArray<{ text: string }>, limit = 64): string[] {
  if (segments.length <= limit) return segments.map((segment) => segment.text);
  return Array.from({ length: limit }, (_, index) => segments[Math.floor((index * segments.length) / limit)].text);
}

/** One query vector for a whole call: the centroid of its representative utterances. */
export async function callVector(embedder: Embedder, segments: ReadonlyArray<{ text: string }>): Promise<number[]> {
  return centroid(await embedder.embed(representativeTexts(segments)));
}

/** Mean of vectors, L2-normalised: one query vector for a whole call. */
function centroid(vectors: readonly number[][]): number[] {
  if (vectors.length === 0) return [];
  const sum = new Array<number>(vectors[0].length).fill(0);
  for (const vector of vectors) for (let index = 0; index < sum.length; index++) sum[index] += vector[index];
  const norm = Math.hypot(...sum) || 1;
  return sum.map((value) => value / norm);
}
