import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultWorkspaceId } from "../auth/teams.ts";
import { openPglite, vectorSearchSettings, type Db } from "../db/database.ts";
import { migrate, readMigrations } from "../db/migrate.ts";
import { ensureVectorIndex, nearestNeighbours, upsertEmbeddings, vectorIndexName } from "./embeddings.ts";
import type { EmbeddingItem } from "./embeddings.ts";
import { createLocalEmbedder } from "../engine/index.ts";

const embedder = createLocalEmbedder({ dimensions: 64 });

describe("upsertEmbeddings", () => {
  let db: Db;
  let items: EmbeddingItem[];

  beforeAll(async () => {
    db = await openPglite(null);
    await migrate(db);
    await ensureVectorIndex(db, embedder.dimensions);
    const workspaceId = await defaultWorkspaceId(db);
    items = [
      { workspaceId, sourceType: "sample", sourceKey: "a", text: "the price is too high for us", label: "pricing_objection", approved: true, payload: { n: 1 } },
      { workspaceId, sourceType: "sample", sourceKey: "b", text: "can we book a demo next week", label: "request_demo_trial", approved: true, payload: { n: 2 } },
    ];
  }, 60_000);

  afterAll(async () => {
    await db?.close();
  });

  async function rows() {
    const { rows } = await db.query<{ key: string; label: string; approved: boolean; payload: unknown; stage: string | null }>(
      `SELECT source_key AS key, label, approved, payload, customer_stage AS stage FROM embeddings ORDER BY source_key`,
    );
    return rows;
  }

  it("embeds new texts, and only changed texts again", async () => {
    expect(await upsertEmbeddings(db, embedder, items)).toBe(2);
    expect(await upsertEmbeddings(db, embedder, items)).toBe(0);
    expect(await upsertEmbeddings(db, embedder, [{ ...items[0], text: "too expensive this year" }])).toBe(1);
  });

  it("updates labels, approval, stage and payload without embedding again, and leaves the other rows as they were", async () => {
    const changed = { ...items[1], label: "scheduling", approved: false, customerStage: "demo", payload: { n: 3 } };
    expect(await upsertEmbeddings(db, embedder, [items[0], changed])).toBe(1); // items[0]'s text changed back
    expect(await rows()).toEqual([
      { key: "a", label: "pricing_objection", approved: true, payload: { n: 1 }, stage: null },
      { key: "b", label: "scheduling", approved: false, payload: { n: 3 }, stage: "demo" },
    ]);
    const [vector] = await embedder.embed([items[1].text]);
    const approvedOnly = await nearestNeighbours(db, { workspaceId: items[0].workspaceId, embedder, vector, sourceType: "sample", approvedOnly: true, limit: 5 });
    expect(approvedOnly.map((neighbour) => neighbour.sourceKey)).toEqual(["a"]);
  });
});

describe("nearestNeighbours", () => {
  let db: Db;
  let workspaceId: string;

  beforeAll(async () => {
    db = await openPglite(null);
    await migrate(db);
    await ensureVectorIndex(db, embedder.dimensions);
    workspaceId = await defaultWorkspaceId(db);
    // Many unapproved samples and a few approved ones, all about the same thing: a filter that
    // rejects most of what the index finds first.
    const texts = (count: number, prefix: string) =>
      Array.from({ length: count }, (_, index) => `${prefix} ${index}: the price is too high, can you do a discount of ${index % 9} percent`);
    await upsertEmbeddings(db, embedder, [
      ...texts(60, "draft").map((text, index) => ({ workspaceId, sourceType: "sample" as const, sourceKey: `draft-${index}`, text, label: "pricing_objection" })),
      ...texts(8, "approved").map((text, index) => ({ workspaceId, sourceType: "sample" as const, sourceKey: `approved-${index}`, text, label: "pricing_objection", approved: true })),
    ]);
    // The planner would scan 68 rows rather than use an index; the app's tables are larger.
    await db.exec("SET enable_seqscan = off");
  }, 60_000);

  afterAll(async () => {
    await db?.close();
  });

  const query = async () => {
    const [vector] = await embedder.embed(["the price is too high, is there a discount"]);
    return nearestNeighbours(db, { workspaceId, embedder, vector, sourceType: "sample", approvedOnly: true, limit: 5 });
  };

  it("goes through the halfvec HNSW index that ensureVectorIndex built", async () => {
    let plan = "";
    const explaining = {
      async query<Row>(sql: string, params?: unknown[]) {
        const { rows } = await db.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params);
        plan = rows.map((row) => row["QUERY PLAN"]).join("\n");
        return { rows: [] as Row[], rowCount: 0 };
      },
      exec: (sql: string) => db.exec(sql),
    };
    const [vector] = await embedder.embed(["discount"]);
    await nearestNeighbours(explaining, { workspaceId, embedder, vector, sourceType: "sample", approvedOnly: true, limit: 5 });
    expect(plan).toContain(`Index Scan using ${vectorIndexName(embedder.dimensions)}`);
    const { rows } = await db.query<{ definition: string }>("SELECT indexdef AS definition FROM pg_indexes WHERE indexname = $1", [vectorIndexName(embedder.dimensions)]);
    expect(rows[0].definition).toContain("halfvec_cosine_ops");
  });

  it("keeps scanning until the filter has let `limit` rows through, nearest first by full-precision similarity", async () => {
    await db.exec("SET hnsw.ef_search = 5"); // the first candidates are mostly unapproved drafts
    try {
      const neighbours = await query();
      expect(neighbours.map((neighbour) => neighbour.sourceKey).every((key) => key.startsWith("approved-"))).toBe(true);
      expect(neighbours).toHaveLength(5);
      const similarities = neighbours.map((neighbour) => neighbour.similarity);
      expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
      // Without the iterative scan the same search comes back short: the setting is what fills it.
      await db.exec("SET hnsw.iterative_scan = off");
      expect((await query()).length).toBeLessThan(5);
    } finally {
      await db.exec(vectorSearchSettings);
    }
  });
});

describe("migration 015", () => {
  it("replaces the `vector` indexes of earlier versions, whatever their dimension, by `halfvec` ones", async () => {
    const db = await openPglite(null);
    try {
      const migrations = readMigrations();
      await migrate(db, migrations.filter((migration) => migration.version < 15));
      // What ensureVectorIndex built before: one index per dimension in use, on `vector`.
      await db.exec("CREATE INDEX embeddings_hnsw_64 ON embeddings USING hnsw ((embedding::vector(64)) vector_cosine_ops) WHERE dimensions = 64");
      await migrate(db, migrations);
      await ensureVectorIndex(db, 64);
      const { rows } = await db.query<{ name: string; definition: string }>(
        "SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE tablename = 'embeddings' AND indexdef LIKE '%hnsw%' ORDER BY indexname",
      );
      expect(rows.map((row) => row.name)).toEqual([vectorIndexName(384), vectorIndexName(64)]);
      expect(rows.every((row) => row.definition.includes("halfvec_cosine_ops"))).toBe(true);
    } finally {
      await db.close();
    }
  }, 60_000);
});
