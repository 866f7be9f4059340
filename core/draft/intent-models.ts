/**
 * The local intent classifier's versions. Training data: the trainers' decisions on intent items
 * (accepted → the predicted intent was right; overridden → the trainer's intent), plus the shipped
 * bilingual seed set so the engine works before anyone has labelled anything. Each trained model is
 * stored as a new version; drafting uses the latest.
 */
import type { Queryable } from "../db/database.ts";
import { loadSeedIntentExamples } from "../dataset/seed.ts";
import {
  chooseContext,
  loadIntentClassifier,
  trainIntentClassifier,
  type IntentClassifier,
  type LabelledExample,
  type PredictionInput,
} from "../engine/index.ts";
import type { IntentDefinition } from "./schema.ts";
import { workspaceDraftSettings } from "./workspace-settings.ts";

export interface IntentModel {
  id: string;
  version: number;
  /** "local-intent@<version>": recorded on every draft the model makes. */
  name: string;
  labelCount: number;
  classifier: IntentClassifier;
}

const loaded = new Map<string, IntentModel>();
/** First trainings under way, per workspace: concurrent drafts (and the start-up warm-up) share one. */
const training = new Map<string, Promise<IntentModel>>();

export async function latestIntentModel(db: Queryable, workspaceId: string): Promise<IntentModel | null> {
  const { rows } = await db.query<{ id: string; version: number; labelCount: number }>(
    `SELECT id, version, label_count AS "labelCount" FROM intent_models WHERE workspace_id = $1 ORDER BY version DESC LIMIT 1`,
    [workspaceId],
  );
  const row = rows[0];
  if (!row) return null;
  const cached = loaded.get(row.id);
  if (cached) return cached;
  const bytes = await db.query<{ model: Uint8Array }>("SELECT model FROM intent_models WHERE id = $1", [row.id]);
  const model = {
    ...row,
    name: `local-intent@${row.version}`,
    classifier: loadIntentClassifier(new Uint8Array(bytes.rows[0].model)),
  };
  loaded.set(row.id, model);
  return model;
}

/**
 * An intent item a trainer said fits none of the workspace's intents (core/review/decisions.ts,
 * "none of these fits"): it stands rejected with `{"intent": null, "noFit": true}`.
 */
export const noFitSql = (alias: string) => `(${alias}.status = 'rejected' AND (${alias}.current_content->>'noFit')::boolean IS TRUE)`;

/** Trainer-confirmed intents of a workspace, with the previous utterance as context. */
export async function trainerLabels(db: Queryable, workspaceId: string): Promise<LabelledExample[]> {
  const { rows } = await db.query<{ text: string; label: string; previousText: string | null }>(
    `SELECT s.text, i.current_content->>'intent' AS label, p.text AS "previousText"
     FROM draft_items i
     JOIN drafts d ON d.id = i.draft_id
     JOIN recordings r ON r.id = i.recording_id
     JOIN segments s ON s.transcript_id = d.transcript_id AND s.ordinal = i.segment_ordinal
     LEFT JOIN segments p ON p.transcript_id = d.transcript_id AND p.ordinal = i.segment_ordinal - 1
     WHERE r.workspace_id = $1 AND i.kind = 'intent' AND i.status IN ('accepted', 'overridden')
       AND i.decided_as IS DISTINCT FROM 'rep' -- a rep's correction waits for a trainer's approval
       AND i.current_content->>'intent' IS NOT NULL`,
    [workspaceId],
  );
  return rows;
}

/**
 * Utterances of the workspace's transcripts that no trainer has labelled, newest first (at most
 * `limit`), with the previous utterance: the unlabelled pool self-training learns from. Utterances
 * a trainer said fit no intent are left out too: self-training would give them one.
 */
export async function unlabelledUtterances(db: Queryable, workspaceId: string, limit = maximumUnlabelled): Promise<PredictionInput[]> {
  const { rows } = await db.query<{ text: string; previousText: string | null }>(
    `SELECT s.text, p.text AS "previousText"
     FROM segments s
     JOIN transcripts t ON t.id = s.transcript_id
     JOIN recordings r ON r.id = t.recording_id
     LEFT JOIN segments p ON p.transcript_id = s.transcript_id AND p.ordinal = s.ordinal - 1
     WHERE r.workspace_id = $1 AND length(trim(s.text)) > 0
       AND NOT EXISTS (
         SELECT 1 FROM draft_items i JOIN drafts d ON d.id = i.draft_id
         WHERE d.transcript_id = s.transcript_id AND i.segment_ordinal = s.ordinal AND i.kind = 'intent'
           AND (i.status IN ('accepted', 'overridden') OR ${noFitSql("i")}))
     ORDER BY t.created_at DESC, s.ordinal
     LIMIT $2`,
    [workspaceId, limit],
  );
  return rows;
}

/** Enough for self-training to find every label's typical phrasings; more only costs training time. */
const maximumUnlabelled = 5000;

/** A taxonomy intent's names and description (both languages), as extra training text. */
export function intentDescriptions(intents: readonly IntentDefinition[]): Record<string, string[]> {
  return Object.fromEntries(
    intents.map((intent) => [
      intent.id,
      [intent.name.en, intent.name.zh, ...intent.description.split(" / ")].map((text) => text.trim()).filter(Boolean),
    ]),
  );
}

export async function trainWorkspaceIntentModel(
  db: Queryable,
  workspaceId: string,
  options: { allowedLabels?: readonly string[] } = {},
): Promise<IntentModel> {
  const labels = await trainerLabels(db, workspaceId);
  const allowed = options.allowedLabels ? new Set(options.allowedLabels) : null;
  const seed = loadSeedIntentExamples().filter((example) => !allowed || allowed.has(example.label));
  const examples = [...seed, ...labels.filter((example) => !allowed || allowed.has(example.label))];
  const [settings, unlabelled] = await Promise.all([workspaceDraftSettings(db, workspaceId), unlabelledUtterances(db, workspaceId)]);
  // Context (the previous utterance) only when it scores better on a held-out fifth of the labels.
  const context = chooseContext(examples, undefined, { seed: 7 });
  const classifier = trainIntentClassifier(examples, {
    seed: 7,
    useContext: context.useContext,
    labelDescriptions: intentDescriptions(settings.intents),
    unlabelled,
    // Keep features seen once: every seed line was written to add a phrasing the others lack, so
    // a word only one line uses is still a cue (seed set, 5-fold: 65.6 → 69.6 %; sales-call dev
    // intents: 84.8 → 87.3 %). A workspace's model stays small (a few thousand rows at most).
    minimumDocumentFrequency: 1,
  });
  const metrics = {
    seedExamples: seed.length,
    trainerLabels: labels.length,
    unlabelled: unlabelled.length,
    pseudoLabelled: classifier.info.pseudoLabelled ?? 0,
    context,
  };
  const { rows } = await db.query<{ id: string; version: number }>(
    `INSERT INTO intent_models (workspace_id, version, label_count, labels, metrics, model)
     VALUES ($1, coalesce((SELECT max(version) FROM intent_models WHERE workspace_id = $1), 0) + 1, $2, $3, $4, $5)
     RETURNING id, version`,
    [workspaceId, labels.length, [...classifier.labels], JSON.stringify(metrics), Buffer.from(classifier.serialize())],
  );
  const model = { id: rows[0].id, version: rows[0].version, name: `local-intent@${rows[0].version}`, labelCount: labels.length, classifier };
  loaded.set(model.id, model);
  return model;
}

/**
 * The latest model, or — before the workspace has any — the first one, trained once even when the
 * start-up warm-up and several drafts ask at the same moment. Later retraining runs in the
 * `train-intent-model` job; drafts never wait for it and use the latest version meanwhile.
 */
export async function ensureIntentModel(db: Queryable, workspaceId: string, options: { allowedLabels?: readonly string[] } = {}): Promise<IntentModel> {
  const latest = await latestIntentModel(db, workspaceId);
  if (latest) return latest;
  let pending = training.get(workspaceId);
  if (!pending) {
    pending = (async () => (await latestIntentModel(db, workspaceId)) ?? trainWorkspaceIntentModel(db, workspaceId, options))();
    training.set(workspaceId, pending);
    void pending.finally(() => training.delete(workspaceId)).catch(() => {});
  }
  return pending;
}

/**
 * Start-up warm-up for workers of the local engine: a fresh workspace's first model is trained (on
 * the seed set, about half a second) right away in the background, so the first draft finds it.
 */
export async function warmUpIntentModel(db: Queryable, workspaceId: string): Promise<IntentModel> {
  const settings = await workspaceDraftSettings(db, workspaceId);
  return ensureIntentModel(db, workspaceId, { allowedLabels: settings.intents.map((intent) => intent.id) });
}
