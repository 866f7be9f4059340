/**
 * Issue 15: how good are the drafts a new workspace gets on day one? Runs the engines over the
 * sales-call evaluation set (datasets/sales-calls, dev and test) as a fresh workspace with no
 * trainer labels: the local engine trained on the seed set only, the seed talk tracks as the only
 * approved ones. Prints intent accuracy and macro-F1, action-item precision/recall/F1 (type
 * match) and F1 with the due date, talk-track precision (the offered track's moment type fits a
 * labelled moment) and coverage, per split and language. With OPENAI_BASE_URL set, the LLM
 * engine's figures are printed beside them.
 *
 *   npm run bench -- first-drafts
 *   npx tsx bench/first-drafts.ts
 *   npx tsx bench/first-drafts.ts --dev     (dev only: what to measure while improving the engine)
 *   npx tsx bench/first-drafts.ts --dev --errors
 *
 * `dev` is every dev call; `dev original` the 20 of the stratified split, `dev added` the 20 calls
 * added later (see `isAddedDevCall`), which are the fairer test of rules tuned on the original 20,
 * and `dev round 3` the 10 Chinese calls added after that (`isThirdRoundDevCall`).
 *
 * Tune on dev only: test is for reporting (see datasets/sales-calls/README.md).
 */
import { defaultWorkspaceId, createTeam } from "../core/auth/teams.ts";
import { createUser } from "../core/auth/users.ts";
import { loadConfig } from "../core/config.ts";
import type { Db } from "../core/db/database.ts";
import { isAddedDevCall, isThirdRoundDevCall, loadSalesCalls, type SalesCall } from "../core/dataset/sales-calls.ts";
import { defaultActionCatalogue } from "../core/draft/action-catalogue.ts";
import { draftLocally, draftWithLlm, loadCallForDrafting, type DraftingDependencies } from "../core/draft/drafting.ts";
import { createLocalEmbedder } from "../core/engine/index.ts";
import type { DraftContent } from "../core/draft/schema.ts";
import { defaultIntents } from "../core/draft/taxonomy.ts";
import { prepareWorkspace } from "../core/draft/workspace-preparation.ts";
import { updateWorkspaceProfile } from "../core/draft/workspace-profile.ts";
import { loadSeedTalkTracks } from "../core/dataset/seed.ts";
import { scoreFirstDrafts, type DraftedCall, type FirstDraftScores } from "../core/eval/first-drafts.ts";
import { storeTranscript } from "../core/upload/recordings.ts";
import { describeMachine, printTable, withBenchDatabase } from "./support.ts";

const intentIds = defaultIntents.map((intent) => intent.id);
const devOnly = process.argv.includes("--dev");
const calls = loadSalesCalls({ intentIds, actionTypeIds: defaultActionCatalogue.map((type) => type.id) }, devOnly ? { split: "dev" } : {});
const environment = loadConfig();
const embedder = createLocalEmbedder();
/** Which industry each shipped reply was written for, to count off-domain offers. */
const seedIndustry = new Map(loadSeedTalkTracks().map((track) => [track.suggestion, track.industry]));
const trackIndustry = (suggestion: string) => seedIndustry.get(suggestion) ?? null;

type Engine = "local" | "llm";

async function storeCall(db: Db, workspace: { id: string; teamId: string; ownerId: string }, call: SalesCall): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256, byte_size, customer_stage, consent_confirmed_at, call_date, language)
     VALUES ($1, $2, $3, 'transcript', $4, $5, $4, 1, $6, now(), $7, $8) RETURNING id`,
    [workspace.id, workspace.teamId, workspace.ownerId, call.id, `${call.id}.json`, call.stage, call.callDate, call.language],
  );
  await storeTranscript(db, rows[0].id, {
    language: call.language,
    transcriber: "import:json",
    model: null,
    segments: call.utterances.map((utterance, index) => ({
      ordinal: index,
      speaker: utterance.speaker,
      text: utterance.text,
      startMs: index * 5000,
      endMs: index * 5000 + 4500,
    })),
  });
  return rows[0].id;
}

/** Drafts every call with one engine in one fresh workspace (no trainer labels, seed only). */
async function draftAll(engine: Engine): Promise<DraftedCall[]> {
  return withBenchDatabase("pglite", async ({ db }) => {
    const workspaceId = await defaultWorkspaceId(db);
    await prepareWorkspace(db, workspaceId, embedder);
    const team = await createTeam(db, { workspaceId, name: "Bench" });
    const user = await createUser(db, { workspaceId, teamId: team.id, email: "bench@example.com", role: "rep", password: "benchmark password" });
    const deps: DraftingDependencies = {
      db,
      embedder,
      config: {
        OPENAI_BASE_URL: engine === "llm" ? environment.OPENAI_BASE_URL : undefined,
        OPENAI_API_KEY: environment.OPENAI_API_KEY,
        LLM_CONCURRENCY: environment.LLM_CONCURRENCY,
        LLM_TIMEOUT_MS: environment.LLM_TIMEOUT_MS,
        DOUBLE_LABEL_SHARE: 0,
      },
    };
    const drafted: DraftedCall[] = [];
    for (const call of calls) {
      // The workspace has declared its industry at setup, as issue 15 asks every workspace to.
      await updateWorkspaceProfile(db, workspaceId, { industry: call.industry, products: [] });
      const recordingId = await storeCall(db, { id: workspaceId, teamId: team.id, ownerId: user.id }, call);
      const context = await loadCallForDrafting(db, recordingId);
      let draft: DraftContent;
      try {
        draft = (engine === "llm" ? await draftWithLlm(deps, context) : await draftLocally(deps, context)).content;
      } catch (error) {
        // One failed call must not hide the others' figures: it counts as an empty draft.
        console.error(`${engine} failed on ${call.id}: ${(error as Error).message}`);
        draft = { intents: [], actionItems: [], talkTracks: [], notes: [] };
      }
      drafted.push({ call, draft });
    }
    return drafted;
  });
}

const percent = (value: number | null) => (value === null ? "–" : Number((value * 100).toFixed(1)));
const decimal = (value: number | null) => (value === null ? "–" : Number(value.toFixed(3)));

function row(engine: Engine, split: string, language: string, scores: FirstDraftScores) {
  return {
    engine,
    split,
    language,
    calls: scores.calls,
    utterances: scores.utterances,
    "intent acc %": percent(scores.intentAccuracy),
    "intent macro-F1 %": percent(scores.intentMacroF1),
    "action P": decimal(scores.actionPrecision),
    "action R": decimal(scores.actionRecall),
    "action F1": decimal(scores.actionF1),
    "action+due F1": decimal(scores.actionWithDueF1),
    "due ok %": percent(scores.dueDateAccuracy),
    "tracks offered": scores.talkTracksOffered,
    "track precision %": percent(scores.talkTrackPrecision),
    "track coverage %": percent(scores.talkTrackCoverage),
    "tracks other lang": scores.talkTracksInOtherLanguage,
    "tracks off-domain": scores.talkTracksOffDomain ?? "–",
  };
}

const parts: Array<{ name: string; includes(call: SalesCall): boolean }> = [
  { name: "dev", includes: (call) => call.split === "dev" },
  { name: "dev original", includes: (call) => call.split === "dev" && !isAddedDevCall(call) },
  { name: "dev added", includes: (call) => call.split === "dev" && isAddedDevCall(call) && !isThirdRoundDevCall(call) },
  { name: "dev round 3", includes: (call) => call.split === "dev" && isThirdRoundDevCall(call) },
  ...(devOnly ? [] : [{ name: "test", includes: (call: SalesCall) => call.split === "test" }]),
];

function rows(engine: Engine, drafted: readonly DraftedCall[]) {
  const table = [];
  for (const part of parts) {
    for (const language of ["en", "zh", "all"] as const) {
      const selected = drafted.filter(({ call }) => part.includes(call) && (language === "all" || call.language === language));
      table.push(row(engine, part.name, language, scoreFirstDrafts(selected, intentIds, { trackIndustry })));
    }
  }
  return table;
}

/**
 * `--errors`: every mistake of the local engine on the dev part (never on test: reading test errors
 * would be tuning on test), to see what to fix next.
 */
function printDevErrors(drafted: readonly DraftedCall[]) {
  for (const { call, draft } of drafted) {
    if (call.split !== "dev") continue;
    const lines: string[] = [];
    const predicted = new Map(draft.intents.map((prediction) => [prediction.segment, prediction]));
    call.utterances.forEach((utterance, index) => {
      const got = predicted.get(index);
      if (got?.intent !== utterance.intent) {
        lines.push(`  [${index}] ${utterance.speaker}: ${utterance.text}\n      expected ${utterance.intent}, drafted ${got?.intent ?? "–"} ${got ? got.confidence.toFixed(2) : ""}`);
      }
    });
    const expected = call.actionItems.map((item) => `${item.type}/${item.owner}/${item.due?.date ?? "-"}@${item.evidence.join(",")}`).sort();
    const got = draft.actionItems.map((item) => `${item.type ?? "FLAGGED:" + item.title}/${item.owner}/${item.dueDate ?? "-"}@${item.evidence.join(",")}`).sort();
    if (expected.join("|") !== got.join("|")) lines.push(`  actions expected ${expected.join("  ")}\n          drafted  ${got.join("  ")}`);
    const moments = call.talkTrackMoments.map((moment) => `${moment.moment}@${moment.utterance}`).sort();
    const tracks = draft.talkTracks.map((track) => `${track.moment}@${track.evidence.join(",")}(${track.confidence}) ${track.suggestion.slice(0, 40)}`);
    if (moments.length > 0 || tracks.length > 0) lines.push(`  moments ${moments.join(" ")} | tracks ${tracks.join(" ; ")}`);
    for (const note of draft.notes) lines.push(`  note: ${note}`);
    if (lines.length > 0) console.log(`${call.id} (${call.industry}, ${call.stage}, ${call.callDate})\n${lines.join("\n")}`);
  }
}

console.log(`First drafts on the sales-call evaluation set (${calls.length} calls). ${describeMachine()}`);
const localDrafts = await draftAll("local");
if (process.argv.includes("--errors")) printDevErrors(localDrafts);
const table = rows("local", localDrafts);
if (environment.OPENAI_BASE_URL) table.push(...rows("llm", await draftAll("llm")));
else console.log("LLM engine: skipped (OPENAI_BASE_URL is not set).");
printTable("Day-one drafts, fresh workspace (seed only): local engine" + (environment.OPENAI_BASE_URL ? " and LLM engine" : ""), table);
