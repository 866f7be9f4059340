import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultWorkspaceId } from "../auth/teams.ts";
import { openPglite, type Db } from "../db/database.ts";
import { migrate } from "../db/migrate.ts";
import { ensureVectorIndex, nearestNeighbours, upsertEmbeddings } from "./embeddings.ts";
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
