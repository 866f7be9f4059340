/**
 * Issue 4's drafting figures through the real database:
 *   1. drafting a 400-utterance call with the local engine (target < 2 s), end to end: load the
 *      call, predict intents, extract action items, retrieve talk tracks by pgvector, store the draft;
 *   2. the local embedder's quality: 10-nearest-neighbour intent accuracy through pgvector (HNSW)
 *      on CLINC150 test (train as the neighbours).
 *
 *   npx tsx bench/drafting.ts [--pglite]
 */
import { parseArgs } from "node:util";
import { createTeam, defaultWorkspaceId } from "../core/auth/teams.ts";
import { createUser } from "../core/auth/users.ts";
import { loadClinc150 } from "../core/dataset/public-sets.ts";
import { parseTranscript } from "../core/upload/transcript-formats.ts";
import { storeTranscript } from "../core/upload/recordings.ts";
import { draftRecording } from "../core/draft/drafting.ts";
import { nearestNeighbours, upsertEmbeddings } from "../core/draft/embeddings.ts";
import { trainWorkspaceIntentModel } from "../core/draft/intent-models.ts";
import { createLocalEmbedder } from "../core/engine/index.ts";
import { prepareWorkspace } from "../core/draft/workspace-preparation.ts";
import { defaultIntents } from "../core/draft/taxonomy.ts";
import fs from "node:fs";
import path from "node:path";
import type { DatabaseKind } from "./support.ts";
import { describeMachine, printTable, summarise, withBenchDatabase } from "./support.ts";

const { values } = parseArgs({ options: { pglite: { type: "boolean", default: false } } });
const kinds: DatabaseKind[] = values.pglite ? ["postgres", "pglite"] : ["postgres"];
const embedder = createLocalEmbedder();
const config = { OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined, LLM_CONCURRENCY: 1, LLM_TIMEOUT_MS: 1, DOUBLE_LABEL_SHARE: 0.1 };

/** 400 utterances from the shipped demo calls, repeated, with increasing times. */
function longCall() {
  const directory = path.resolve(import.meta.dirname, "../datasets/seed/calls");
  const segments = fs
    .readdirSync(directory)
    .flatMap((file) => parseTranscript(fs.readFileSync(path.join(directory, file), "utf8"), { fileName: file }).segments);
  return Array.from({ length: 400 }, (_, index) => {
    const segment = segments[index % segments.length];
    return { ...segment, startMs: index * 4000, endMs: index * 4000 + 3500 };
  });
}

async function draftingFigures(kind: DatabaseKind) {
  return withBenchDatabase(kind, async ({ db }) => {
    const workspaceId = await defaultWorkspaceId(db);
    await prepareWorkspace(db, workspaceId, embedder);
    const trainStarted = performance.now();
    await trainWorkspaceIntentModel(db, workspaceId, { allowedLabels: defaultIntents.map((intent) => intent.id) });
    const trainMs = performance.now() - trainStarted;
    const team = await createTeam(db, { workspaceId, name: "Bench" });
    const user = await createUser(db, { workspaceId, teamId: team.id, email: "bench@example.com", role: "rep", password: "benchmark password" });
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256, byte_size, customer_stage, consent_confirmed_at)
       VALUES ($1, $2, $3, 'transcript', 'long call', 'long.vtt', 'bench', 1, 'demo', now()) RETURNING id`,
      [workspaceId, team.id, user.id],
    );
    await storeTranscript(db, rows[0].id, { language: null, transcriber: "import:vtt", model: null, segments: longCall() });
    const times: number[] = [];
    let items = 0;
    for (let run = 0; run < 6; run++) {
      const started = performance.now();
      await draftRecording({ db, config, embedder }, rows[0].id);
      times.push(performance.now() - started);
      items = (await db.query<{ count: number }>("SELECT count(*)::int AS count FROM draft_items")).rows[0].count;
    }
    // The first run loads the model; report the warm runs and the cold one separately.
    const warm = summarise(times.slice(1));
    return { kind, utterances: 400, "draft items": items, "train on seed (ms)": Math.round(trainMs), "cold (ms)": Math.round(times[0]), "warm p50 (ms)": warm["p50 ms"], "warm max (ms)": warm["max ms"], target: "< 2000 ms" };
  });
}

async function nearestNeighbourAccuracy(kind: DatabaseKind) {
  return withBenchDatabase(kind, async ({ db }) => {
    const workspaceId = await defaultWorkspaceId(db);
    const samples = loadClinc150();
    const train = samples.filter((sample) => sample.split === "train");
    const test = samples.filter((sample) => sample.split === "test");
    const insertStarted = performance.now();
    await upsertEmbeddings(
      db,
      embedder,
      train.map((sample, index) => ({ workspaceId, sourceType: "sample" as const, sourceKey: `train-${index}`, text: sample.text, label: sample.label, approved: true })),
    );
    const insertSeconds = (performance.now() - insertStarted) / 1000;
    const vectors = await embedder.embed(test.map((sample) => sample.text));
    let correct = 0;
    const latencies: number[] = [];
    for (const [index, sample] of test.entries()) {
      const started = performance.now();
      const neighbours = await nearestNeighbours(db, { workspaceId, embedder, vector: vectors[index], sourceType: "sample", approvedOnly: true, limit: 10 });
      latencies.push(performance.now() - started);
      // Majority vote, ties broken by summed similarity.
      const votes = new Map<string, { count: number; similarity: number }>();
      for (const neighbour of neighbours) {
        const vote = votes.get(neighbour.label!) ?? { count: 0, similarity: 0 };
        votes.set(neighbour.label!, { count: vote.count + 1, similarity: vote.similarity + neighbour.similarity });
      }
      const best = [...votes].sort((a, b) => b[1].count - a[1].count || b[1].similarity - a[1].similarity)[0]?.[0];
      if (best === sample.label) correct += 1;
    }
    const latency = summarise(latencies);
    return {
      kind,
      embedder: embedder.name,
      "train vectors": train.length,
      "test queries": test.length,
      "10-NN accuracy": `${((100 * correct) / test.length).toFixed(2)} %`,
      "embed + insert train (s)": Number(insertSeconds.toFixed(1)),
      "query p50 (ms)": latency["p50 ms"],
      "query p95 (ms)": latency["p95 ms"],
    };
  });
}

console.log(`Drafting benchmark. ${describeMachine()}`);
const drafting = [];
const neighbours = [];
for (const kind of kinds) {
  drafting.push(await draftingFigures(kind));
  neighbours.push(await nearestNeighbourAccuracy(kind));
}
printTable("Local engine: drafting a 400-utterance call end to end (intents, action items, talk tracks, stored)", drafting);
printTable("Local embedder: 10-nearest-neighbour intent accuracy on CLINC150 test through pgvector (HNSW, cosine)", neighbours);
