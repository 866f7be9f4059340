/**
 * Editing the intent taxonomy and the action catalogue over HTTP on each database: the first edit
 * copies the defaults, entries are validated by the core's schemas, retiring a used entry is refused
 * until its labels are mapped (then they are relabelled), and saving intents queues a retrain.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultActionCatalogue } from "../core/draft/action-catalogue.ts";
import { defaultIntents } from "../core/draft/taxonomy.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, insertDraftedCall, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

describe.each(databaseKinds)("intent taxonomy and action catalogue on %s", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let organisation: Organisation;
  let trainer: TestClient;
  let itemIds: { intent: string; action: string };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    server = await startTestServer(database.db);
    trainer = createTestClient(server.baseUrl);
    await trainer.signIn("trainer@example.com", testPassword);

    // One reviewed call: an accepted intent label and an action item of a default type.
    const { db } = database;
    const { recordingId, draftId } = await insertDraftedCall(db, organisation, { utterances: ["Who else uses this?"] });
    const intent = await db.query<{ id: string }>(
      `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, content, status)
       VALUES ($1, $2, 'intent', 0, 0, $3, 'accepted') RETURNING id`,
      [draftId, recordingId, JSON.stringify({ segment: 0, intent: defaultIntents[0].id })],
    );
    const action = await db.query<{ id: string }>(
      `INSERT INTO draft_items (draft_id, recording_id, kind, position, content, status)
       VALUES ($1, $2, 'action_item', 0, $3, 'pending') RETURNING id`,
      [draftId, recordingId, JSON.stringify({ type: defaultActionCatalogue[0].id, title: "Send it", evidence: [0], confidence: 0.5 })],
    );
    itemIds = { intent: intent.rows[0].id, action: action.rows[0].id };
  });

  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  it("reads the defaults with their usage, and marks them as not customised", async () => {
    const response = await trainer.request("GET", "/api/workspace/vocabulary");
    expect(response.status).toBe(200);
    const { vocabulary } = response.body;
    expect(vocabulary.customised).toEqual({ intents: false, actionCatalogue: false });
    expect(vocabulary.intents).toHaveLength(defaultIntents.length);
    expect(vocabulary.usage.intents[defaultIntents[0].id]).toBe(1);
    expect(vocabulary.usage.actionTypes[defaultActionCatalogue[0].id]).toBe(1);
  });

  it("refuses an invalid taxonomy with every issue and its path, changing nothing", async () => {
    const response = await trainer.request("PUT", "/api/workspace/intents", {
      intents: [
        ...defaultIntents,
        { id: "Bad Id", name: { en: "Bad", zh: "坏" } },
        { id: "second_copy", name: { en: defaultIntents[1].name.en, zh: "另一个" } },
      ],
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.error.issues)).toContain("id");
    expect((await trainer.request("GET", "/api/workspace/vocabulary")).body.vocabulary.customised.intents).toBe(false);
  });

  it("adds and renames intents (the first edit copies the defaults) and queues a retrain", async () => {
    const intents = defaultIntents.map((intent, index) =>
      index === 1 ? { ...intent, name: { en: "Renamed", zh: "改名了" }, description: "New words" } : intent,
    );
    intents.push({ id: "warranty_question", name: { en: "Warranty question", zh: "保修问题" }, description: "Asks about the warranty" });
    const response = await trainer.request("PUT", "/api/workspace/intents", { intents });
    expect(response.status).toBe(200);
    expect(response.body.vocabulary.customised.intents).toBe(true);
    expect(response.body.vocabulary.intents.at(-1).id).toBe("warranty_question");
    expect(response.body.vocabulary.intents[1].name.zh).toBe("改名了");
    const jobs = await database.db.query("SELECT id FROM jobs WHERE queue = 'train-intent-model' AND workspace_id = $1", [organisation.workspaceId]);
    expect(jobs.rows.length).toBeGreaterThan(0);
  });

  it("refuses a save over someone else's newer list (409, in both languages) and keeps theirs", async () => {
    const opened = (await trainer.request("GET", "/api/workspace/vocabulary")).body.vocabulary;
    // Another trainer saves first, from the same revision.
    const theirs = [...opened.intents, { id: "delivery_question", name: { en: "Delivery question", zh: "交付问题" } }];
    const first = await trainer.request("PUT", "/api/workspace/intents", { intents: theirs, revision: opened.revisions.intents });
    expect(first.status).toBe(200);
    expect(first.body.vocabulary.revisions.intents).not.toBe(opened.revisions.intents);
    // The first one's save, still from the old revision, would drop "delivery_question": refused.
    const mine = [...opened.intents, { id: "install_question", name: { en: "Installation question", zh: "安装问题" } }];
    const stale = await trainer.request("PUT", "/api/workspace/intents", { intents: mine, revision: opened.revisions.intents });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/Someone else saved this list/);
    const staleChinese = await trainer.request("PUT", "/api/workspace/intents", { intents: mine, revision: opened.revisions.intents }, { "accept-language": "zh-CN" });
    expect(staleChinese.body.error.message).toMatch(/其他人已保存了此列表/);
    const now = (await trainer.request("GET", "/api/workspace/vocabulary")).body.vocabulary;
    expect(now.intents.map((intent: { id: string }) => intent.id)).toContain("delivery_question");
    expect(now.intents.map((intent: { id: string }) => intent.id)).not.toContain("install_question");
    // From the current revision, the same change goes through and keeps both.
    const again = await trainer.request("PUT", "/api/workspace/intents", {
      intents: [...now.intents, mine.at(-1)],
      revision: now.revisions.intents,
    });
    expect(again.status).toBe(200);
    expect(again.body.vocabulary.intents.map((intent: { id: string }) => intent.id)).toEqual(expect.arrayContaining(["delivery_question", "install_question"]));
  });

  it("retires an unused intent at once, refuses a used one until mapped, then relabels its items", async () => {
    const current = (await trainer.request("GET", "/api/workspace/vocabulary")).body.vocabulary.intents as Array<{ id: string }>;
    const used = defaultIntents[0].id;
    const unused = defaultIntents[2].id;
    const withoutUnused = current.filter((intent) => intent.id !== unused);
    expect((await trainer.request("PUT", "/api/workspace/intents", { intents: withoutUnused })).status).toBe(200);

    const withoutUsed = withoutUnused.filter((intent) => intent.id !== used);
    const refused = await trainer.request("PUT", "/api/workspace/intents", { intents: withoutUsed });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(used);
    const badTarget = await trainer.request("PUT", "/api/workspace/intents", { intents: withoutUsed, mappings: { [used]: unused } });
    expect(badTarget.status).toBe(400);

    const mapped = await trainer.request("PUT", "/api/workspace/intents", { intents: withoutUsed, mappings: { [used]: "warranty_question" } });
    expect(mapped.status).toBe(200);
    expect(mapped.body).toMatchObject({ retired: [used], relabelled: 1 });
    const item = await database.db.query<{ intent: string; status: string }>(
      "SELECT current_content->>'intent' AS intent, status FROM draft_items WHERE id = $1",
      [itemIds.intent],
    );
    expect(item.rows[0]).toEqual({ intent: "warranty_question", status: "accepted" });
  });

  it("edits the action catalogue with examples, and maps a used action type when retiring it", async () => {
    const used = defaultActionCatalogue[0].id;
    const added = {
      id: "send_warranty_terms",
      name: { en: "Send warranty terms", zh: "发送保修条款" },
      fields: ["owner", "dueDate"],
      examples: { en: ["I'll send you the warranty terms today"], zh: ["我今天把保修条款发给您"] },
    };
    const catalogue = [...defaultActionCatalogue.filter((type) => type.id !== used), added];
    expect((await trainer.request("PUT", "/api/workspace/action-catalogue", { actionCatalogue: catalogue })).status).toBe(409);
    const response = await trainer.request("PUT", "/api/workspace/action-catalogue", {
      actionCatalogue: catalogue,
      mappings: { [used]: "send_warranty_terms" },
    });
    expect(response.status).toBe(200);
    expect(response.body.vocabulary.actionCatalogue.at(-1).examples.zh).toEqual(["我今天把保修条款发给您"]);
    const item = await database.db.query<{ type: string }>("SELECT current_content->>'type' AS type FROM draft_items WHERE id = $1", [itemIds.action]);
    expect(item.rows[0].type).toBe("send_warranty_terms");
  });

  it("lets managers read but not edit", async () => {
    const manager = createTestClient(server.baseUrl);
    await manager.signIn("manager@example.com", testPassword);
    expect((await manager.request("GET", "/api/workspace/vocabulary")).status).toBe(200);
    expect((await manager.request("PUT", "/api/workspace/intents", { intents: defaultIntents })).status).toBe(403);
  });
});
