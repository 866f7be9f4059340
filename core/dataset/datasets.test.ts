import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganisation, type Organisation } from "../../tests/support/fixtures.ts";
import { openPglite, type Db } from "../db/database.ts";
import { migrate } from "../db/migrate.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { storeTranscript } from "../upload/recordings.ts";
import {
  collectLabelledSamples,
  createDataset,
  exportDatasetVersion,
  getDataset,
  importDatasetSamples,
  listDatasets,
  listDatasetVersions,
  loadSamples,
  parseSamplesFile,
  resolveDatasetVersion,
  previewSamples,
  snapshotDataset,
} from "./datasets.ts";

let db: Db;
let organisation: Organisation;

beforeAll(async () => {
  db = await openPglite(null);
  await migrate(db);
  organisation = await createOrganisation(db);
});

afterAll(async () => {
  await db?.close();
});

function jsonl(rows: Array<Record<string, unknown>>): string {
  return rows.map((row) => JSON.stringify(row)).join("\n") + "\n";
}

const labelled = Array.from({ length: 10 }, (_, index) => ({
  text: index % 2 === 0 ? `价格太高了 ${index}` : `When can we meet? ${index}`,
  label: index % 2 === 0 ? "价格异议" : "scheduling",
}));

describe("datasets from files", () => {
  it("imports samples with a stratified seeded split and keeps identical re-imports as one version", async () => {
    const { workspaceId } = organisation;
    const samples = parseSamplesFile(jsonl(labelled), "jsonl");
    const first = await importDatasetSamples(db, {
      workspaceId,
      name: "objections",
      samples,
      testShare: 0.2,
      seed: 7,
    });
    expect(first.created).toBe(true);
    expect(first.dataset).toMatchObject({ name: "objections", source: "file", latestVersion: 1 });
    expect(first.version).toMatchObject({
      version: 1,
      sampleCount: 10,
      labelCount: 2,
      splitSeed: 7,
      testShare: 0.2,
    });
    // 5 per label × 0.2 = 1 test sample per label.
    expect(first.version.counts).toEqual({ train: 8, validation: 0, test: 2 });
    const test = await loadSamples(db, first.version.id, { splits: ["test"] });
    expect(test.map((sample) => sample.label).sort()).toEqual(["scheduling", "价格异议"]);

    const again = await importDatasetSamples(db, {
      workspaceId,
      name: "objections",
      samples,
      testShare: 0.2,
      seed: 7,
    });
    expect(again).toMatchObject({ created: false, version: { id: first.version.id } });

    const changed = await importDatasetSamples(db, {
      workspaceId,
      name: "objections",
      samples: [...samples, { text: "太贵了", label: "价格异议" }],
      testShare: 0.2,
      seed: 7,
    });
    expect(changed.created).toBe(true);
    expect(changed.version.version).toBe(2);
    // Version 1 is untouched.
    expect((await loadSamples(db, first.version.id)).length).toBe(10);
    expect(
      (await listDatasetVersions(db, workspaceId, first.dataset.id)).map(
        (version) => version.version,
      ),
    ).toEqual([2, 1]);
  });

  it("round-trips an export: same texts, labels, splits and case keys", async () => {
    const { workspaceId } = organisation;
    const source = await resolveDatasetVersion(db, workspaceId, "objections@1");
    const exported = await exportDatasetVersion(db, source.id);
    const firstLine = JSON.parse(exported.split("\n")[0]);
    expect(Object.keys(firstLine)).toEqual(["text", "label", "metadata"]);
    expect(firstLine.metadata).toMatchObject({
      split: expect.stringMatching(/train|test/),
      caseKey: expect.any(String),
    });
    expect(exported).toContain("价格太高了 0");

    const copy = await importDatasetSamples(db, {
      workspaceId,
      name: "objections-copy",
      samples: parseSamplesFile(exported, "jsonl"),
    });
    const original = await loadSamples(db, source.id);
    const copied = await loadSamples(db, copy.version.id);
    const shape = (samples: typeof original) =>
      samples.map(({ caseKey, split, text, label, previousText }) => ({
        caseKey,
        split,
        text,
        label,
        previousText,
      }));
    expect(shape(copied)).toEqual(shape(original));

    const testOnly = await exportDatasetVersion(db, source.id, { splits: ["test"] });
    expect(testOnly.trim().split("\n")).toHaveLength(2);
  });

  it("honours splits given in the file, and refuses half of them", async () => {
    const { workspaceId } = organisation;
    const csv =
      "text,label,previous_text,split\r\nhello,greeting,,train\r\nhi,greeting,,test\r\n你好,greeting,在吗,validation\r\n";
    const result = await importDatasetSamples(db, {
      workspaceId,
      name: "greetings",
      samples: parseSamplesFile(csv, "csv"),
    });
    expect(result.version.counts).toEqual({ train: 1, validation: 1, test: 1 });
    const samples = await loadSamples(db, result.version.id);
    expect(samples.find((sample) => sample.text === "你好")).toMatchObject({
      previousText: "在吗",
      split: "validation",
      metadata: {},
    });

    const half = parseSamplesFile("text,label,split\r\na,x,train\r\nb,x,\r\n", "csv");
    await expect(
      importDatasetSamples(db, { workspaceId, name: "half", samples: half }),
    ).rejects.toThrow(/name it on every sample or on none/);
    expect(() =>
      parseSamplesFile(jsonl([{ text: "a", label: "x", split: "dev" }]), "jsonl"),
    ).toThrow(ValidationError);
    // Nothing was created by the failed import.
    await expect(getDataset(db, workspaceId, "half")).rejects.toThrow(NotFoundError);
  });

  it("names datasets strictly and resolves references", async () => {
    const { workspaceId } = organisation;
    await expect(createDataset(db, { workspaceId, name: "objections" })).rejects.toThrow(
      ConflictError,
    );
    await expect(createDataset(db, { workspaceId, name: "bad name!" })).rejects.toThrow(
      ValidationError,
    );
    await expect(resolveDatasetVersion(db, workspaceId, "objections@9")).rejects.toThrow(
      /has no version 9 \(latest: 2\)/,
    );
    await expect(resolveDatasetVersion(db, workspaceId, "nothing")).rejects.toThrow(NotFoundError);
    expect((await resolveDatasetVersion(db, workspaceId, "objections")).version).toBe(2);
    const names = (await listDatasets(db, workspaceId)).map((dataset) => dataset.name);
    expect(names).toEqual(expect.arrayContaining(["objections", "objections-copy", "greetings"]));
  });
});

describe("snapshots of reviewed labels", () => {
  /** A reviewed call: utterances with the status and labels trainers gave each intent item. */
  async function reviewedCall(input: {
    ownerId: string;
    teamId: string;
    stage: string;
    callDate: string;
    language?: string;
    utterances: Array<{ text: string; intent: string; status: string; override?: string }>;
  }): Promise<string> {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256,
         byte_size, customer_stage, call_date, consent_confirmed_at, status)
       VALUES ($1, $2, $3, 'transcript', 'call', 'call.txt', $4, 10, $5, $6, now(), 'ready') RETURNING id`,
      [
        organisation.workspaceId,
        input.teamId,
        input.ownerId,
        crypto.randomUUID(),
        input.stage,
        input.callDate,
      ],
    );
    const recordingId = rows[0].id;
    const transcriptId = await storeTranscript(db, recordingId, {
      language: input.language ?? null,
      transcriber: "import:txt",
      model: null,
      segments: input.utterances.map((utterance, index) => ({
        startMs: index * 1000,
        endMs: index * 1000 + 900,
        speaker: index % 2 === 0 ? "rep" : "customer",
        text: utterance.text,
      })),
    });
    const draft = await db.query<{ id: string }>(
      `INSERT INTO drafts (recording_id, transcript_id, engine, model) VALUES ($1, $2, 'local', 'local-intent@1') RETURNING id`,
      [recordingId, transcriptId],
    );
    for (const [index, utterance] of input.utterances.entries()) {
      await db.query(
        `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, content, status, current_content)
         VALUES ($1, $2, 'intent', $3, $3, $4, $5, $6)`,
        [
          draft.rows[0].id,
          recordingId,
          index,
          JSON.stringify({ segment: index, intent: utterance.intent, confidence: 0.5 }),
          utterance.status,
          utterance.override
            ? JSON.stringify({ segment: index, intent: utterance.override, confidence: 1 })
            : null,
        ],
      );
    }
    return recordingId;
  }

  beforeAll(async () => {
    const { users, north, south } = organisation;
    await reviewedCall({
      ownerId: users.northRep.id,
      teamId: north.id,
      stage: "negotiation",
      callDate: "2025-02-10",
      language: "zh-CN",
      utterances: [
        { text: "我们的报价是每年二十万", intent: "pricing_answer", status: "accepted" },
        {
          text: "太贵了，能便宜点吗",
          intent: "pricing_question",
          status: "overridden",
          override: "price_objection",
        },
        { text: "我考虑一下", intent: "hesitation", status: "pending" },
        { text: "Call me at 13812345678", intent: "scheduling", status: "rejected" },
      ],
    });
    await reviewedCall({
      ownerId: users.southRep.id,
      teamId: south.id,
      stage: "discovery",
      callDate: "2025-05-01",
      utterances: [
        { text: "What does the product cover?", intent: "product_question", status: "accepted" },
        { text: "Is there a free trial?", intent: "product_question", status: "accepted" },
      ],
    });
  });

  it("takes accepted and overridden labels, the override winning, with the previous utterance", async () => {
    const samples = await collectLabelledSamples(db, organisation.users.admin);
    expect(samples.map((sample) => [sample.text, sample.label])).toEqual([
      ["我们的报价是每年二十万", "pricing_answer"],
      ["太贵了，能便宜点吗", "price_objection"],
      ["What does the product cover?", "product_question"],
      ["Is there a free trial?", "product_question"],
    ]);
    expect(samples[1]).toMatchObject({
      previousText: "我们的报价是每年二十万",
      speaker: "customer",
      customerStage: "negotiation",
      metadata: { teamId: organisation.north.id, callDate: "2025-02-10" },
      caseKey: expect.stringMatching(/^item:/),
    });
    expect(samples[0].previousText).toBeUndefined();
  });

  it("filters by team, stage, date range and intent, and only within what the actor may see", async () => {
    const { users, north, south } = organisation;
    const texts = async (
      actor: typeof users.admin,
      filters: Parameters<typeof collectLabelledSamples>[2],
    ) => (await collectLabelledSamples(db, actor, filters)).map((sample) => sample.text);
    expect(await texts(users.admin, { teamId: south.id })).toEqual([
      "What does the product cover?",
      "Is there a free trial?",
    ]);
    expect(await texts(users.admin, { customerStages: ["negotiation"] })).toHaveLength(2);
    expect(await texts(users.admin, { from: "2025-04-01", to: "2025-06-30" })).toHaveLength(2);
    expect(await texts(users.admin, { to: "2025-02-09" })).toEqual([]);
    expect(await texts(users.admin, { intents: ["price_objection"] })).toEqual([
      "太贵了，能便宜点吗",
    ]);
    // The north trainer sees the north squad only, whatever the filters ask for.
    expect(await texts(users.trainer, {})).toHaveLength(2);
    expect(await texts(users.trainer, { teamId: south.id })).toEqual([]);
    expect(await texts(users.trainer, { teamId: north.id })).toHaveLength(2);
    await expect(collectLabelledSamples(db, users.admin, { from: "2025-13-01" })).rejects.toThrow(
      ValidationError,
    );
    await expect(
      collectLabelledSamples(db, users.admin, { from: "2025-03-01", to: "2025-01-01" }),
    ).rejects.toThrow(/after/);
  });

  it("filters by language and by decision, and previews the count per label", async () => {
    const { users } = organisation;
    const texts = async (filters: Parameters<typeof collectLabelledSamples>[2]) =>
      (await collectLabelledSamples(db, users.admin, filters)).map((sample) => sample.text);
    // The north call's transcript is zh-CN; the south call has no language at all.
    expect(await texts({ languages: ["zh"] })).toEqual(["我们的报价是每年二十万", "太贵了，能便宜点吗"]);
    expect(await texts({ languages: ["en"] })).toEqual([]);
    expect(await texts({ decisions: ["overridden"] })).toEqual(["太贵了，能便宜点吗"]);
    expect(await texts({ decisions: ["accepted"] })).toHaveLength(3);
    await expect(
      collectLabelledSamples(db, users.admin, { decisions: ["pending" as "accepted"] }),
    ).rejects.toThrow(ValidationError);

    const preview = previewSamples(await collectLabelledSamples(db, users.admin));
    expect(preview).toEqual({
      samples: 4,
      recordings: 2,
      labels: [
        { label: "product_question", count: 2 },
        { label: "price_objection", count: 1 },
        { label: "pricing_answer", count: 1 },
      ],
    });
  });

  it("snapshots an immutable version with its filters, and refuses an empty one", async () => {
    const { users, workspaceId } = organisation;
    const dataset = await createDataset(db, {
      workspaceId,
      name: "reviewed",
      createdBy: users.admin.id,
    });
    const { version } = await snapshotDataset(db, users.admin, {
      datasetId: dataset.id,
      testShare: 0.5,
      seed: 3,
    });
    expect(version).toMatchObject({
      version: 1,
      sampleCount: 4,
      labelCount: 3,
      filters: { kind: "snapshot" },
    });
    // product_question (2 samples) gives one to test; single-sample labels stay in train.
    expect(version.counts).toEqual({ train: 3, validation: 0, test: 1 });
    const samples = await loadSamples(db, version.id);
    expect(samples.every((sample) => sample.recordingId !== null)).toBe(true);
    await expect(
      snapshotDataset(db, users.admin, {
        datasetId: dataset.id,
        filters: { intents: ["nothing"] },
      }),
    ).rejects.toThrow(/No reviewed intent labels/);
  });
});
