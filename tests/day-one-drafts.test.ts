/**
 * Issue 15: what a fresh workspace (no trainer labels, the shipped seed only) drafts with the local
 * engine, on PGlite and PostgreSQL — the call from the issue, and talk tracks that fit the
 * workspace's declared industry or none. The workspace profile API: admins declare the industry
 * and products; bad input is refused with the reason and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../core/auth/sessions.ts";
import { loadSeedTalkTracks } from "../core/dataset/seed.ts";
import { draftRecording, type DraftingDependencies } from "../core/draft/drafting.ts";
import { createLocalEmbedder } from "../core/engine/index.ts";
import type { DraftContent } from "../core/draft/schema.ts";
import { prepareWorkspace } from "../core/draft/workspace-preparation.ts";
import { updateWorkspaceProfile, workspaceProfile } from "../core/draft/workspace-profile.ts";
import { storeTranscript } from "../core/upload/recordings.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

const embedder = createLocalEmbedder();
const seedIndustry = new Map(loadSeedTalkTracks().map((track) => [track.suggestion, track.industry]));

/** The 30-second English SaaS call of issue 15, on Monday 2 March 2026 (Friday is the 6th). */
const issueCall: Array<[string, string]> = [
  ["agent", "Hi Dana, it's Sam from Ledgerline. Do you have a minute?"],
  ["customer", "Honestly the price is too high compared to what we pay now."],
  ["agent", "Understood. I'll send you a proposal with a discount option by Friday."],
  ["customer", "Okay, thanks."],
];

async function draftCall(db: TestDatabase["db"], organisation: Organisation, utterances: Array<[string, string]>, language: "en" | "zh"): Promise<DraftContent> {
  const rep = organisation.users.northRep;
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256, byte_size, customer_stage,
       consent_confirmed_at, call_date, language)
     VALUES ($1, $2, $3, 'transcript', 'day one', 'day-one.json', gen_random_uuid()::text, 1, 'negotiation', now(), '2026-03-02', $4) RETURNING id`,
    [organisation.workspaceId, organisation.north.id, rep.id, language],
  );
  await storeTranscript(db, rows[0].id, {
    language,
    transcriber: "import:json",
    model: null,
    segments: utterances.map(([speaker, text], ordinal) => ({ ordinal, speaker, text, startMs: ordinal * 5000, endMs: ordinal * 5000 + 4000 })),
  });
  const deps: DraftingDependencies = {
    db,
    embedder,
    config: { OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined, LLM_CONCURRENCY: 1, LLM_TIMEOUT_MS: 1000, DOUBLE_LABEL_SHARE: 0 },
  };
  const { draftId } = await draftRecording(deps, rows[0].id);
  const items = await db.query<{ kind: string; content: unknown }>(
    `SELECT kind, content FROM draft_items WHERE draft_id = $1 ORDER BY kind, position`,
    [draftId],
  );
  const notes = await db.query<{ notes: string[] }>(`SELECT notes FROM drafts WHERE id = $1`, [draftId]);
  const of = <T>(kind: string) => items.rows.filter((item) => item.kind === kind).map((item) => item.content as T);
  return {
    intents: of<DraftContent["intents"][number]>("intent"),
    actionItems: of<DraftContent["actionItems"][number]>("action_item"),
    talkTracks: of<DraftContent["talkTracks"][number]>("talk_track"),
    notes: notes.rows[0].notes,
  };
}

describe.each(databaseKinds)("day-one drafts of a fresh workspace (%s)", (kind) => {
  let database: TestDatabase;
  let organisation: Organisation;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    await prepareWorkspace(database.db, organisation.workspaceId, embedder);
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
  });

  it("drafts the issue's call as a trainer would: pricing objection, proposal due Friday, an on-domain talk track or none", async () => {
    await updateWorkspaceProfile(database.db, organisation.workspaceId, { industry: "saas", products: ["Accounting software"] });
    const draft = await draftCall(database.db, organisation, issueCall, "en");
    expect(draft.intents.find((intent) => intent.segment === 1)?.intent).toBe("pricing_objection");
    const proposal = draft.actionItems.find((item) => item.type === "send_quote");
    expect(proposal).toMatchObject({ flagged: false, owner: "agent", dueDate: "2026-03-06" });
    expect(proposal!.evidence).toContain(2);
    expect(draft.actionItems.filter((item) => item.flagged)).toEqual([]);
    for (const track of draft.talkTracks) {
      expect(track.evidence).toContain(1);
      expect(["saas", "general"]).toContain(seedIndustry.get(track.suggestion));
    }
    // Either a fitting reply, or a note saying nothing approved fits — never silence.
    expect(draft.talkTracks.length + draft.notes.length).toBeGreaterThan(0);
  });

  it("never offers a reply written for another industry, and only general ones before the industry is declared", async () => {
    const objection: Array<[string, string]> = [
      ["agent", "So that's the plan we discussed."],
      ["customer", "Honestly, the premium's too much for what I wanted to spend."],
    ];
    await updateWorkspaceProfile(database.db, organisation.workspaceId, { industry: "retail", products: [] });
    const retail = await draftCall(database.db, organisation, objection, "en");
    for (const track of retail.talkTracks) expect(["retail", "general"]).toContain(seedIndustry.get(track.suggestion));
    await updateWorkspaceProfile(database.db, organisation.workspaceId, { industry: null, products: [] });
    const undeclared = await draftCall(database.db, organisation, objection, "en");
    for (const track of undeclared.talkTracks) expect(seedIndustry.get(track.suggestion)).toBe("general");
    // The insurance workspace gets the insurance reply this line was written for.
    await updateWorkspaceProfile(database.db, organisation.workspaceId, { industry: "insurance", products: ["Term life"] });
    const insurance = await draftCall(database.db, organisation, objection, "en");
    expect(insurance.talkTracks.map((track) => seedIndustry.get(track.suggestion))).toEqual(["insurance"]);
  });

  it("answers a Chinese moment in Chinese, with a reply for its industry", async () => {
    await updateWorkspaceProfile(database.db, organisation.workspaceId, { industry: "education", products: ["考研辅导"] });
    const draft = await draftCall(
      database.db,
      organisation,
      [
        ["销售", "王女士您好，我是星途教育的顾问。"],
        ["客户", "另一家机构的课才三千多，你们贵太多了。"],
      ],
      "zh",
    );
    expect(draft.talkTracks).toHaveLength(1);
    expect(seedIndustry.get(draft.talkTracks[0].suggestion)).toBe("education");
    expect(draft.talkTracks[0].suggestion).toMatch(/\p{Script=Han}/u);
  });
});

describe("workspace profile API", () => {
  let database: TestDatabase;
  let server: TestServer;
  let organisation: Organisation;
  let adminToken: string;
  let trainerToken: string;

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    organisation = await createOrganisation(database.db);
    server = await startTestServer(database.db);
    adminToken = (await createApiToken(database.db, organisation.users.admin.id, { name: "profile" })).token;
    trainerToken = (await createApiToken(database.db, organisation.users.trainer.id, { name: "profile" })).token;
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  async function call(method: string, token: string, body?: unknown) {
    const response = await fetch(`${server.baseUrl}/api/workspace/profile`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  it("starts undeclared, lists the industries, and stores what an admin declares", async () => {
    const fresh = await call("GET", trainerToken);
    expect(fresh.status).toBe(200);
    expect(fresh.body.profile).toEqual({ industry: null, products: [] });
    expect(fresh.body.industries).toContain("medical_devices");
    const saved = await call("PUT", adminToken, { industry: "medical_devices", products: ["Ventilators", " ventilators ", "Patient monitors"] });
    expect(saved.status).toBe(200);
    expect(saved.body.profile).toEqual({ industry: "medical_devices", products: ["Ventilators", "Patient monitors"] });
    expect(await workspaceProfile(database.db, organisation.workspaceId)).toEqual(saved.body.profile);
    expect((await call("GET", trainerToken)).body.profile).toEqual(saved.body.profile);
  });

  it("refuses an unknown industry or a blank product with the reason, and keeps what was stored", async () => {
    const before = await workspaceProfile(database.db, organisation.workspaceId);
    const unknown = await call("PUT", adminToken, { industry: "aerospace", products: [] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(["industry"]);
    const blank = await call("PUT", adminToken, { industry: "retail", products: ["  "] });
    expect(blank.status).toBe(400);
    expect(blank.body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(["products.0"]);
    expect(await workspaceProfile(database.db, organisation.workspaceId)).toEqual(before);
  });

  it("lets only an admin change it", async () => {
    const refused = await call("PUT", trainerToken, { industry: "retail", products: [] });
    expect(refused.status).toBe(403);
    expect((await workspaceProfile(database.db, organisation.workspaceId)).industry).toBe("medical_devices");
  });
});
