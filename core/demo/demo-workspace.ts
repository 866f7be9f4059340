/**
 * The demo workspace (`npm run demo`, `npm start -- --demo`): the three bundled demo calls
 * (datasets/seed/calls, CC0) imported, drafted by the local engine (no model, no network), one of
 * them reviewed by a demo trainer, and the capability-map rollup refreshed — so a newcomer sees a
 * transcript, drafts, a review queue and a capability map on the first page they open.
 *
 * Where it may load: into an empty workspace (no users, no recordings), or again into one that holds
 * only the demo — then it is idempotent: missing users, calls and drafts are added, nothing is
 * duplicated, and only the passwords change. Anything else (a real user or call) is refused, so the
 * demo never mixes made-up calls into someone's data.
 *
 * Passwords: one random password per load, shared by the four demo users, printed by the caller and
 * stored hashed like any other. A re-run resets it; there is no constant demo password to guess.
 */
import { receiveBlob, releaseBlob } from "../upload/blob-references.ts";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import type { Role } from "../auth/actor.ts";
import { hashPassword, newSecret } from "../auth/secrets.ts";
import { createTeam, defaultWorkspaceId, findTeamByName } from "../auth/teams.ts";
import type { Team } from "../auth/teams.ts";
import { createUser, getUser } from "../auth/users.ts";
import type { User } from "../auth/users.ts";
import { refreshCapabilityRollup } from "../capability-map/rollup.ts";
import type { Db, Queryable } from "../db/database.ts";
import { draftRecording } from "../draft/drafting.ts";
import type { Embedder } from "../draft/embeddings.ts";
import { trainWorkspaceIntentModel } from "../draft/intent-models.ts";
import { prepareWorkspace } from "../draft/workspace-preparation.ts";
import { updateWorkspaceProfile, workspaceProfile } from "../draft/workspace-profile.ts";
import { workspaceDraftSettings } from "../draft/workspace-settings.ts";
import { ConflictError } from "../errors.ts";
import type { Dispatcher } from "../jobs/dispatch.ts";
import { finishJob, startJob } from "../jobs/job-store.ts";
import { decide } from "../review/decisions.ts";
import type { BlobStore } from "../upload/blob-store.ts";
import { importTranscript, setRecordingStatus } from "../upload/recordings.ts";
import { parseTranscript } from "../upload/transcript-formats.ts";

export const demoCallsDirectory = path.resolve(import.meta.dirname, "../../datasets/seed/calls");

export const demoTeams = { region: "Demo region", squad: "Demo squad" } as const;

export const demoUsers: ReadonlyArray<{ role: Role; email: string; displayName: string; team: keyof typeof demoTeams; locale: "en" | "zh-CN" }> = [
  { role: "admin", email: "admin@demo.calibrate.example", displayName: "Demo admin", team: "region", locale: "en" },
  { role: "manager", email: "manager@demo.calibrate.example", displayName: "Demo manager", team: "region", locale: "en" },
  { role: "trainer", email: "trainer@demo.calibrate.example", displayName: "Demo trainer", team: "squad", locale: "en" },
  { role: "rep", email: "rep@demo.calibrate.example", displayName: "Demo rep", team: "squad", locale: "zh-CN" },
];

/** The bundled calls, with what the rep would have said about them on import. */
export const demoCalls: ReadonlyArray<{ file: string; title: string; customerStage: string; language: "zh" | "en" | "auto"; daysAgo: number; reviewed: boolean }> = [
  { file: "saas-discovery.en.vtt", title: "Brightline — discovery call", customerStage: "discovery", language: "en", daysAgo: 3, reviewed: true },
  { file: "insurance-renewal.zh.vtt", title: "安途保险 — 续保沟通", customerStage: "renewal", language: "zh", daysAgo: 2, reviewed: false },
  { file: "mixed-demo.txt", title: "云帆软件 — 产品演示", customerStage: "demo", language: "auto", daysAgo: 1, reviewed: false },
];

export class DemoRefusedError extends ConflictError {}

export interface DemoReport {
  /** False when the workspace already held the demo: nothing new was imported. */
  loaded: boolean;
  password: string;
  users: Array<{ role: Role; email: string }>;
  recordings: Array<{ id: string; title: string; status: string }>;
  decisions: number;
}

export interface DemoDependencies {
  db: Db;
  blobs: BlobStore;
  /** The configured embedder, for the talk tracks the local engine retrieves. */
  embedder: Embedder;
  doubleLabelShare?: number;
}

/** Who and what the workspace holds besides the demo; empty means the demo may load. */
export async function nonDemoContent(db: Queryable, workspaceId: string): Promise<{ users: number; recordings: number }> {
  const emails = demoUsers.map((user) => user.email);
  const { rows } = await db.query<{ users: number; recordings: number }>(
    `SELECT (SELECT count(*)::int FROM users WHERE workspace_id = $1 AND NOT (lower(email) = ANY($2::text[]))) AS users,
            (SELECT count(*)::int FROM recordings r JOIN users u ON u.id = r.owner_id
             WHERE r.workspace_id = $1 AND NOT (lower(u.email) = ANY($2::text[]))) AS recordings`,
    [workspaceId, emails],
  );
  return rows[0];
}

async function ensureTeams(db: Queryable, workspaceId: string): Promise<Record<keyof typeof demoTeams, Team>> {
  const region = (await findTeamByName(db, workspaceId, demoTeams.region)) ?? (await createTeam(db, { workspaceId, name: demoTeams.region }));
  const squad =
    (await findTeamByName(db, workspaceId, demoTeams.squad)) ?? (await createTeam(db, { workspaceId, name: demoTeams.squad, parentId: region.id }));
  return { region, squad };
}

async function ensureUsers(db: Db, workspaceId: string, password: string): Promise<Map<Role, User>> {
  const teams = await ensureTeams(db, workspaceId);
  const passwordHash = await hashPassword(password);
  const users = new Map<Role, User>();
  for (const demoUser of demoUsers) {
    const { rows } = await db.query<{ id: string }>(
      "UPDATE users SET password_hash = $3 WHERE workspace_id = $1 AND lower(email) = $2 RETURNING id",
      [workspaceId, demoUser.email, passwordHash],
    );
    const user = rows[0]
      ? await getUser(db, rows[0].id)
      : await createUser(db, { workspaceId, teamId: teams[demoUser.team].id, email: demoUser.email, displayName: demoUser.displayName, role: demoUser.role, password, locale: demoUser.locale });
    users.set(demoUser.role, user);
  }
  return users;
}

function daysAgo(days: number, now = new Date()): string {
  return new Date(now.getTime() - days * 24 * 60 * 60_000).toISOString().slice(0, 10);
}

/**
 * Imports a call the way `POST /api/recordings/import` does, then runs its draft job here and now
 * with the local engine: the job row is claimed and completed, so no worker drafts it twice. The
 * caller loads the demo before it starts any worker, so none can claim the row in between.
 * A call already imported (same content, same rep) is only drafted if it has no draft yet.
 */
async function importAndDraft(deps: DemoDependencies, rep: User, call: (typeof demoCalls)[number]): Promise<{ id: string; title: string; status: string }> {
  const content = fs.readFileSync(path.join(demoCallsDirectory, call.file));
  const blob = await receiveBlob(deps, Readable.from([content]), { maxBytes: content.length + 1 });
  const parsed = parseTranscript(content.toString("utf8"), { fileName: call.file });
  // The job row is written by the import and claimed right below, in this process.
  const inline: Dispatcher = { enqueue: () => Promise.reject(new Error("not used")), handOver: async () => {} };
  const imported = await importTranscript({ db: deps.db, dispatcher: inline }, rep, {
    metadata: { title: call.title, customerStage: call.customerStage, callDate: daysAgo(call.daysAgo), language: call.language, consent: "true" },
    fileName: call.file,
    blob,
    parsed,
  }).finally(() => releaseBlob(deps, blob, { keep: true }));
  const recording = imported.recording;
  const drafted = await deps.db.query("SELECT 1 FROM drafts WHERE recording_id = $1 LIMIT 1", [recording.id]);
  if (drafted.rows.length === 0) {
    const job = imported.job ? await startJob(deps.db, imported.job.id) : null;
    await draftRecording(
      // The demo needs no model: always the local engine, whatever OPENAI_BASE_URL says.
      { db: deps.db, embedder: deps.embedder, config: { OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined, LLM_CONCURRENCY: 1, LLM_TIMEOUT_MS: 1, DOUBLE_LABEL_SHARE: deps.doubleLabelShare ?? 0 } },
      recording.id,
    );
    await setRecordingStatus(deps.db, recording.id, { status: "ready", progress: 1 });
    if (job) await finishJob(deps.db, job.id, { state: "completed" });
  }
  return { id: recording.id, title: recording.title, status: "ready" };
}

/**
 * The demo trainer works through one call: accepts most drafts, corrects every fifth intent to the
 * next one in the taxonomy and rejects the last talk track. Response times are spread over 2–12 s,
 * so the map's calibration response time has something to show. Skipped when already reviewed.
 */
async function reviewCall(db: Db, trainer: User, recordingId: string): Promise<number> {
  const { rows } = await db.query<{ id: string; kind: string; revision: number; status: string; intent: string | null }>(
    `SELECT i.id, i.kind, i.revision, i.status, i.content->>'intent' AS intent FROM draft_items i
     JOIN drafts d ON d.id = i.draft_id WHERE d.recording_id = $1 ORDER BY i.kind, i.position`,
    [recordingId],
  );
  if (rows.some((item) => item.status !== "pending")) return 0;
  const intents = (await workspaceDraftSettings(db, trainer.workspaceId)).intents.map((intent) => intent.id);
  const lastTalkTrack = rows.filter((item) => item.kind === "talk_track").at(-1)?.id;
  let decided = 0;
  for (const [index, item] of rows.entries()) {
    const shownAt = new Date(Date.now() - (2_000 + ((index * 3_701) % 10_000)));
    if (item.id === lastTalkTrack) {
      await decide(db, trainer, item.id, { action: "reject", revision: item.revision, shownAt });
    } else if (item.kind === "intent" && item.intent && index % 5 === 4) {
      const corrected = intents[(intents.indexOf(item.intent) + 1) % intents.length];
      await decide(db, trainer, item.id, { action: "override", after: { intent: corrected }, revision: item.revision, shownAt });
    } else {
      await decide(db, trainer, item.id, { action: "accept", revision: item.revision, shownAt });
    }
    decided += 1;
  }
  return decided;
}

/** Loads the demo (see the file comment). Throws `DemoRefusedError` into a workspace with other data. */
export async function loadDemo(deps: DemoDependencies, options: { password?: string } = {}): Promise<DemoReport> {
  const workspaceId = await defaultWorkspaceId(deps.db);
  const other = await nonDemoContent(deps.db, workspaceId);
  if (other.users > 0 || other.recordings > 0) {
    throw new DemoRefusedError(
      `This workspace already holds ${other.users} user(s) and ${other.recordings} recording(s) of its own; the demo loads only into ` +
        `an empty workspace or one that holds only the demo. Start it on a new data directory (e.g. DATA_DIR=./data/demo-2 npm run demo) ` +
        `or an empty database (DATABASE_URL).`,
    );
  }
  // The shipped talk tracks must be embedded before drafting, or the drafts would offer none.
  await prepareWorkspace(deps.db, workspaceId, deps.embedder);
  // Declared as a real workspace would at setup: the talk tracks offered fit what it sells.
  const profile = await workspaceProfile(deps.db, workspaceId);
  if (profile.industry === null) {
    await updateWorkspaceProfile(deps.db, workspaceId, { industry: "saas", products: ["Sales-call recording and CRM (demo)"] });
  }
  const before = await deps.db.query<{ count: number }>("SELECT count(*)::int AS count FROM recordings WHERE workspace_id = $1", [workspaceId]);
  const password = options.password ?? newSecret(12);
  const users = await ensureUsers(deps.db, workspaceId, password);
  const rep = users.get("rep")!;
  const recordings = [];
  let decisions = 0;
  for (const call of demoCalls) {
    const recording = await importAndDraft(deps, rep, call);
    recordings.push(recording);
    if (call.reviewed) decisions += await reviewCall(deps.db, users.get("trainer")!, recording.id);
  }
  // The trainer's labels teach the local engine, as the train-intent-model job would after a review.
  if (decisions > 0) await trainWorkspaceIntentModel(deps.db, workspaceId, { allowedLabels: (await workspaceDraftSettings(deps.db, workspaceId)).intents.map((intent) => intent.id) });
  await refreshCapabilityRollup(deps.db, { workspaceId, mode: "full" });
  return {
    loaded: before.rows[0].count < demoCalls.length,
    password,
    users: demoUsers.map((user) => ({ role: user.role, email: user.email })),
    recordings,
    decisions,
  };
}
