import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultWorkspaceId } from "../auth/teams.ts";
import { openPglite, vectorSearchSettings, type Db, type Queryable } from "../db/database.ts";
import { migrate, readMigrations } from "../db/migrate.ts";
import { ensureVectorIndex, exactSearchIndexName, nearestNeighbours, representativeTexts, upsertEmbeddings, vectorIndexName, vectorLiteral } from "./embeddings.ts";
import type { EmbeddingItem } from "./embeddings.ts";
import { createLocalEmbedder } from "../engine/index.ts";

const embedder = createLocalEmbedder({ dimensions: 64 });

describe("representativeTexts", () => {
  const segments = (count: number) => Array.from({ length: count }, (_, index) => ({ text: `utterance ${index}` }));

  it("keeps every utterance of a short call, in order", () => {
    expect(representativeTexts(segments(5), 8)).toEqual(["utterance 0", "utterance 1", "utterance 2", "utterance 3", "utterance 4"]);
  });

  it("spreads a long call's picks from its start to its end rather than taking its first minutes", () => {
    const picked = representativeTexts(segments(400), 8);
    expect(picked).toEqual([0, 50, 100, 150, 200, 250, 300, 350].map((index) => `utterance ${index}`));
    expect(representativeTexts(segments(400))).toHaveLength(64);
    expect(new Set(representativeTexts(segments(65))).size).toBe(64);
  });
});

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

  // The 8 approved rows would be searched exactly; a cap of 0 sends them through the HNSW index.
  const query = async () => {
    const [vector] = await embedder.embed(["the price is too high, is there a discount"]);
    return nearestNeighbours(db, { workspaceId, embedder, vector, sourceType: "sample", approvedOnly: true, limit: 5, exactSearchMaximumRows: 0 });
  };

  it("plans both branches on the indexes ensureVectorIndex built: the halfvec HNSW index and the covering b-tree", async () => {
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
    expect(plan).toContain(`Index Only Scan using ${exactSearchIndexName(embedder.dimensions)}`);
    expect(plan.match(/One-Time Filter/g)).toHaveLength(2);
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

describe("nearestNeighbours routed by the number of matching rows", () => {
  let db: Db;
  let workspaceId: string;
  const exactSearchMaximumRows = 40;
  const phrases = ["the price is too high", "can we book a demo", "send me the contract", "we use a competitor", "who else uses this", "what about security", "the budget is frozen", "call me next quarter"];

  beforeAll(async () => {
    db = await openPglite(null);
    await migrate(db);
    await ensureVectorIndex(db, embedder.dimensions);
    workspaceId = await defaultWorkspaceId(db);
    const text = (index: number) => `${phrases[index % phrases.length]}, ${["honestly", "today", "for now", "as we said", "again"][index % 5]} ${index}`;
    await upsertEmbeddings(db, embedder, [
      // 200 approved samples, 24 of them in the demo stage; 60 drafts; 30 talk tracks, 10 per moment.
      ...Array.from({ length: 200 }, (_, index) => ({ workspaceId, sourceType: "sample" as const, sourceKey: `sample-${index}`, text: text(index), label: "any", approved: true, customerStage: index % 25 < 3 ? "demo" : "discovery" })),
      ...Array.from({ length: 60 }, (_, index) => ({ workspaceId, sourceType: "sample" as const, sourceKey: `draft-${index}`, text: text(index + 1000), customerStage: "demo" })),
      ...Array.from({ length: 30 }, (_, index) => ({ workspaceId, sourceType: "talk_track" as const, sourceKey: `track-${index}`, text: text(index + 2000), approved: true, payload: { moment: ["objection", "question", "hesitation"][index % 3] } })),
    ]);
    await db.exec("VACUUM ANALYZE embeddings");
    // As on the app's larger tables: neither reading the whole table nor sorting all 200 samples
    // beats the HNSW index there, which the broad filter's branch has to use.
    await db.exec("SET enable_seqscan = off; SET enable_sort = off");
  }, 60_000);

  afterAll(async () => {
    await db?.close();
  });

  /** The exact answer, by brute force: every matching row's distance, no index. */
  async function exactTop(vector: number[], filter: string, limit: number): Promise<string[]> {
    await db.exec("SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off; SET enable_seqscan = on");
    try {
      const { rows } = await db.query<{ key: string }>(
        `SELECT source_key AS key FROM embeddings WHERE workspace_id = $2 AND approved AND ${filter}
         ORDER BY cosine_distance(embedding, $1::vector), source_key LIMIT ${limit}`,
        [vectorLiteral(vector), workspaceId],
      );
      return rows.map((row) => row.key);
    } finally {
      await db.exec("RESET enable_indexscan; RESET enable_bitmapscan; RESET enable_indexonlyscan; SET enable_seqscan = off");
    }
  }

  /** Which branch returned the rows, and the indexes scanned (the other branch's show "never executed"). */
  async function executed(search: (explaining: Queryable) => Promise<unknown>): Promise<{ branch: string; indexes: string[] }> {
    let plan = "";
    await search({
      async query<Row>(sql: string, params?: unknown[]) {
        const { rows } = await db.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql}`, params);
        plan = rows.map((row) => row["QUERY PLAN"]).join("\n");
        return { rows: [] as Row[], rowCount: 0 };
      },
      exec: (sql: string) => db.exec(sql),
    });
    const lines = plan.split("\n");
    const branches = ["exact", "approximate"].filter((branch) => lines.some((line) => new RegExp(`CTE Scan on ${branch} \\(actual rows=[1-9]`).test(line)));
    const indexes = lines.filter((line) => !line.includes("never executed")).map((line) => /Scan using (\S+)/.exec(line)?.[1]).filter((name) => name !== undefined);
    return { branch: branches.join(","), indexes: [...new Set(indexes)] };
  }

  const cases = [
    { name: "a selective filter (24 demo samples) exactly", options: { sourceType: "sample" as const, customerStage: "demo" }, filter: "source_type = 'sample' AND customer_stage = 'demo'", branch: "exact" },
    { name: "one moment's talk tracks (10) exactly too", options: { sourceType: "talk_track" as const, moment: "objection" }, filter: "source_type = 'talk_track' AND payload->>'moment' = 'objection'", branch: "exact" },
    { name: "a broad filter (200 samples) through the HNSW index", options: { sourceType: "sample" as const }, filter: "source_type = 'sample'", branch: "approximate" },
  ];

  for (const { name, options, filter, branch } of cases) {
    it(`answers ${name}, with the exact top results`, async () => {
      const limit = 8;
      for (const [queryIndex, queryText] of ["the price is really too high for us", "book a demo", "security questions"].entries()) {
        const [vector] = await embedder.embed([queryText]);
        const search = (target: Queryable) =>
          nearestNeighbours(target, { workspaceId, embedder, vector, approvedOnly: true, limit, exactSearchMaximumRows, ...options });
        const neighbours = await search(db);
        expect(neighbours.map((neighbour) => neighbour.sourceKey)).toEqual(await exactTop(vector, filter, limit));
        const similarities = neighbours.map((neighbour) => neighbour.similarity);
        expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
        if (queryIndex > 0) continue;
        const { branch: executedBranch, indexes } = await executed(search);
        expect(executedBranch).toBe(branch);
        expect(indexes.includes(vectorIndexName(embedder.dimensions))).toBe(branch === "approximate");
      }
    });
  }
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
