import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../../tests/support/databases.ts";
import { defaultWorkspaceId } from "../auth/teams.ts";
import { importDatasetSamples, type NewSample } from "../dataset/datasets.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import {
  createLabelCurve,
  executeLabelCurve,
  failLabelCurve,
  getLabelCurve,
  labelCurveOptionsSchema,
  latestLabelCurve,
} from "./label-curves.ts";

// Three intents, eight train and two test utterances each, English and Chinese.
const phrases: Record<string, string[]> = {
  pricing_question: ["how much is it", "what is the price", "价格是多少", "what does the plan cost", "报价多少钱", "is there a discount", "price per seat please", "年费多少"],
  scheduling: ["can we meet tuesday", "下周三可以吗", "let us set a call", "what time works", "周五上午有空吗", "book a demo friday", "move our meeting", "明天下午见面"],
  farewell: ["goodbye for now", "thanks bye", "再见", "talk to you later", "先这样，拜拜", "have a nice day", "see you soon", "谢谢，再联系"],
};
const tests: Record<string, string[]> = {
  pricing_question: ["how much per year", "价格贵吗"],
  scheduling: ["can we meet monday", "周四可以开会吗"],
  farewell: ["bye bye", "再见啦"],
};
const samples: NewSample[] = [
  ...Object.entries(phrases).flatMap(([label, texts]) => texts.map((text) => ({ text, label, split: "train" as const }))),
  ...Object.entries(tests).flatMap(([label, texts]) => texts.map((text) => ({ text, label, split: "test" as const }))),
];

describe.each(databaseKinds)("label curves as stored runs (%s)", (kind) => {
  let database: TestDatabase;
  let workspaceId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    workspaceId = await defaultWorkspaceId(database.db);
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
  });

  it("records a request, computes it and returns it as the latest curve", async () => {
    const { db } = database;
    expect(await latestLabelCurve(db, workspaceId)).toBeNull();
    const { version } = await importDatasetSamples(db, { workspaceId, name: "curve-intents", samples });
    const options = labelCurveOptionsSchema.parse({ sizes: [1, 4], strategies: ["random", "balanced"] });
    const queued = await createLabelCurve(db, { workspaceId, datasetVersion: version, options, createdBy: null });
    expect(queued).toMatchObject({ status: "queued", points: null, options: { sizes: [1, 4], seeds: 1 } });
    expect((await latestLabelCurve(db, workspaceId))?.id).toBe(queued.id);

    const progress: number[] = [];
    await executeLabelCurve(db, queued.id, ({ done }) => progress.push(done));
    const curve = await getLabelCurve(db, workspaceId, queued.id);
    expect(curve.status).toBe("completed");
    expect(curve.summary).toEqual({ dataset: "curve-intents@1", train: 24, test: 6, intents: 3, seeds: 1 });
    expect(curve.points?.map((point) => [point.strategy, point.labelsPerIntent, point.totalLabels])).toEqual([
      ["random", 1, 3],
      ["random", 4, 12],
      ["balanced", 1, 3],
      ["balanced", 4, 12],
    ]);
    for (const point of curve.points ?? []) {
      expect(point.accuracyMean).toBeGreaterThanOrEqual(0);
      expect(point.accuracyMean).toBeLessThanOrEqual(1);
    }
    expect(progress).toEqual([1, 2, 3, 4]);

    // A second delivery of the finished job changes nothing; a late failure does not undo it.
    await executeLabelCurve(db, queued.id);
    await failLabelCurve(db, queued.id, "late");
    expect(await getLabelCurve(db, workspaceId, queued.id)).toEqual(curve);
    expect(await latestLabelCurve(db, workspaceId, version.id)).toEqual(curve);
  }, 120_000);

  it("refuses a dataset version it cannot draw a curve from, and unknown curves", async () => {
    const { db } = database;
    const { version } = await importDatasetSamples(db, {
      workspaceId,
      name: "test-only",
      samples: samples.filter((sample) => sample.split === "test"),
    });
    await expect(
      createLabelCurve(db, { workspaceId, datasetVersion: version, options: labelCurveOptionsSchema.parse({}), createdBy: null }),
    ).rejects.toThrow(ValidationError);
    await expect(getLabelCurve(db, workspaceId, "00000000-0000-4000-8000-000000000000")).rejects.toThrow(NotFoundError);
    expect(() => labelCurveOptionsSchema.parse({ strategies: ["psychic"] })).toThrow();
  });
});
