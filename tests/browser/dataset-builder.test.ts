/**
 * The dataset builder in a real browser: a trainer narrows the reviewed labels with filters, sees
 * the count change before building, builds a version, and finds it in the new-run dialog's picker.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../core/db/database.ts";
import { storeTranscript } from "../../core/upload/recordings.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

let app: AppUnderTest;

/** A call in `teamId` whose utterances a trainer reviewed: accepted or corrected intent labels. */
async function reviewedCall(
  db: Db,
  input: { workspaceId: string; teamId: string; ownerId: string; stage: string; language: string },
  utterances: Array<{ text: string; intent: string; status: "accepted" | "overridden" }>,
): Promise<void> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256,
       byte_size, customer_stage, call_date, consent_confirmed_at, status)
     VALUES ($1, $2, $3, 'transcript', 'call', 'call.txt', $4, 10, $5, '2026-11-02', now(), 'ready') RETURNING id`,
    [input.workspaceId, input.teamId, input.ownerId, randomUUID(), input.stage],
  );
  const transcriptId = await storeTranscript(db, rows[0].id, {
    language: input.language,
    transcriber: "import:txt",
    model: null,
    segments: utterances.map((utterance, index) => ({
      startMs: index * 1000,
      endMs: index * 1000 + 900,
      speaker: "customer",
      text: utterance.text,
    })),
  });
  const draft = await db.query<{ id: string }>(
    `INSERT INTO drafts (recording_id, transcript_id, engine, model) VALUES ($1, $2, 'local', 'test') RETURNING id`,
    [rows[0].id, transcriptId],
  );
  for (const [index, utterance] of utterances.entries()) {
    await db.query(
      `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, content, status)
       VALUES ($1, $2, 'intent', $3, $3, $4, $5)`,
      [draft.rows[0].id, rows[0].id, index, JSON.stringify({ segment: index, intent: utterance.intent }), utterance.status],
    );
  }
}

beforeAll(async () => {
  app = await startAppUnderTest();
  const { organisation, database } = app;
  const { users, north, south, workspaceId } = organisation!;
  await reviewedCall(
    database.db,
    { workspaceId, teamId: north.id, ownerId: users.northRep.id, stage: "negotiation", language: "zh" },
    [
      { text: "太贵了，能便宜点吗", intent: "price_objection", status: "accepted" },
      { text: "价格超出预算了", intent: "price_objection", status: "overridden" },
      { text: "你们和竞品比有什么优势", intent: "competitor_comparison", status: "accepted" },
    ],
  );
  await reviewedCall(
    database.db,
    { workspaceId, teamId: south.id, ownerId: users.southRep.id, stage: "discovery", language: "en" },
    [
      { text: "Can we see a demo next week?", intent: "request_demo", status: "accepted" },
      { text: "Who else uses this?", intent: "ask_references", status: "accepted" },
    ],
  );
});

afterAll(async () => {
  await app?.close();
});

describe("dataset builder", () => {
  it("previews the count as filters change, builds a version, and offers it for a new run", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", "/evals");
    const builder = page.getByTestId("dataset-builder");
    const count = builder.getByTestId("dataset-preview-count");
    await count.getByText("5 labelled utterances · calls: 2 · intents: 4").waitFor();

    await builder.getByText("Chinese", { exact: true }).click();
    await count.getByText("3 labelled utterances · calls: 1 · intents: 2").waitFor();
    await builder.getByText("Corrected by a trainer").click();
    await count.getByText("1 labelled utterance · calls: 1 · intents: 1").waitFor();
    await builder.getByText("Corrected by a trainer").click();

    // A team with nothing reviewed yet: the builder says so and will not build.
    await builder.getByLabel("Team").selectOption({ label: "South squad" });
    await builder.getByTestId("dataset-preview-empty").waitFor();
    expect(await builder.getByTestId("build-dataset").isDisabled()).toBe(true);
    await builder.getByLabel("Team").selectOption({ label: "North squad" });
    await count.getByText("3 labelled utterances", { exact: false }).waitFor();

    await builder.getByLabel("Dataset name").fill("north-chinese");
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await app.browser.screenshot("dataset-builder-1440");
    await page.setViewportSize({ width: 1280, height: 800 });
    await app.browser.screenshot("dataset-builder-1280");
    await builder.getByTestId("build-dataset").click();
    await builder.getByTestId("dataset-built").getByText("Dataset north-chinese v1 is ready", { exact: false }).waitFor();
    await page.getByTestId("dataset-row").filter({ hasText: "north-chinese" }).waitFor();

    const stored = await app.database.db.query<{ filters: { languages: string[]; teamId: string } }>(
      "SELECT v.filters FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id WHERE d.name = 'north-chinese'",
    );
    expect(stored.rows[0].filters).toMatchObject({ languages: ["zh"], teamId: app.organisation!.north.id });

    // "New version" with nothing reviewed since: the same snapshot, so no new version.
    const row = page.getByTestId("dataset-row").filter({ hasText: "north-chinese" });
    await row.getByTestId("dataset-new-version").click();
    await row.getByTestId("dataset-new-version-result").getByText("No labels changed since v1", { exact: false }).waitFor();
    // A trainer reviews one more Chinese utterance in North and one in South: the new version takes
    // the North one only, because it repeats v1's filters (North, Chinese) and split.
    const { workspaceId, north, south, users } = app.organisation!;
    await reviewedCall(app.database.db, { workspaceId, teamId: north.id, ownerId: users.northRep.id, stage: "negotiation", language: "zh" }, [
      { text: "我们下个季度再说吧", intent: "hesitation", status: "accepted" },
    ]);
    await reviewedCall(app.database.db, { workspaceId, teamId: south.id, ownerId: users.southRep.id, stage: "negotiation", language: "zh" }, [
      { text: "合同能短一点吗", intent: "contract_terms", status: "accepted" },
    ]);
    await row.getByTestId("dataset-new-version").click();
    await row.getByTestId("dataset-new-version-result").getByText("north-chinese v2: 4 samples.").waitFor();
    await row.getByRole("cell", { name: "2", exact: true }).waitFor();
    await app.browser.screenshot("dataset-new-version");
    const versions = await app.database.db.query<{ version: number; filters: Record<string, unknown>; testShare: number; seed: number }>(
      `SELECT v.version, v.filters, v.test_share AS "testShare", v.split_seed AS seed FROM dataset_versions v
         JOIN datasets d ON d.id = v.dataset_id WHERE d.name = 'north-chinese' ORDER BY v.version`,
    );
    expect(versions.rows.map((version) => version.version)).toEqual([1, 2]);
    expect(versions.rows[1].filters).toEqual(versions.rows[0].filters);
    expect([versions.rows[1].testShare, versions.rows[1].seed]).toEqual([versions.rows[0].testShare, versions.rows[0].seed]);

    await page.getByTestId("new-run").click();
    // The dialog loads its datasets after it opens: wait for the new one rather than reading at once.
    await page.locator("dialog select option", { hasText: "north-chinese" }).first().waitFor({ state: "attached" });
  });

  it("says the builder in Chinese", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com", "/evals");
    await page.getByTestId("language-switch").selectOption("zh-CN");
    const builder = page.getByTestId("dataset-builder");
    await builder.getByText("用培训师的标注构建数据集").waitFor();
    await builder.getByTestId("dataset-preview-count").getByText("条已标注语句", { exact: false }).waitFor();
    await app.browser.screenshot("dataset-builder-zh");
  });
});
