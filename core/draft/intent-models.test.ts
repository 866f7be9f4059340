import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultWorkspaceId } from "../auth/teams.ts";
import { openPglite, type Db } from "../db/database.ts";
import { migrate } from "../db/migrate.ts";
import { ensureIntentModel, latestIntentModel, trainWorkspaceIntentModel, warmUpIntentModel } from "./intent-models.ts";

describe("the first intent model of a workspace", () => {
  let db: Db;
  let workspaceId: string;

  beforeAll(async () => {
    db = await openPglite(null);
    await migrate(db);
    workspaceId = await defaultWorkspaceId(db);
  }, 60_000);

  afterAll(async () => {
    await db?.close();
  });

  it("is trained once when the start-up warm-up and several drafts ask at the same moment", async () => {
    expect(await latestIntentModel(db, workspaceId)).toBeNull();
    const models = await Promise.all([warmUpIntentModel(db, workspaceId), ensureIntentModel(db, workspaceId), ensureIntentModel(db, workspaceId)]);
    expect(new Set(models.map((model) => model.id)).size).toBe(1);
    const { rows } = await db.query<{ version: number }>("SELECT version FROM intent_models WHERE workspace_id = $1", [workspaceId]);
    expect(rows).toEqual([{ version: 1 }]);
    expect(models[0].classifier.predict("价格有点高，能便宜点吗？", null).ranked.length).toBeGreaterThan(0);
  }, 30_000);

  it("is not trained again once a model exists: later drafts use the latest version", async () => {
    const retrained = await trainWorkspaceIntentModel(db, workspaceId);
    expect(retrained.version).toBe(2);
    // The taxonomy's names and descriptions train too; whether context is used is decided on
    // held-out labels (once enough of them know their previous utterance) and recorded.
    expect(retrained.classifier.info.descriptions).toBeGreaterThan(20);
    const { rows: metrics } = await db.query<{ metrics: { context: { useContext: boolean; validation: string }; unlabelled: number } }>(
      "SELECT metrics FROM intent_models WHERE id = $1",
      [retrained.id],
    );
    // A fifth of the seed examples that know their previous utterance is held out to weigh it.
    expect(metrics[0].metrics.context).toMatchObject({ validation: "held-out", validationRows: expect.any(Number) });
    expect(metrics[0].metrics.context.useContext).toBe(retrained.classifier.info.useContext);
    expect(metrics[0].metrics.unlabelled).toBe(0);
    expect((await ensureIntentModel(db, workspaceId)).id).toBe(retrained.id);
    const { rows } = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM intent_models");
    expect(rows[0].count).toBe(2);
  }, 30_000);
});
