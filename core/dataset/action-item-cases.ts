/**
 * Call-level action-item cases from the trainers' decisions. Intent datasets hold one utterance per
 * sample; an action-item agent reads a whole call, so a dataset of kind `action_items` holds one
 * sample per call: `text` is the transcript (for people), `label` is the constant
 * `actionItemCaseLabel`, and `metadata` carries what the eval needs — the call's utterances
 * (`segments`) and the items people decided (`expected`, `rejected`). Every sample is in the test
 * split: an agent is not trained on the dataset. The version's filters say `kind: "action_items"`.
 *
 * Which items are expected, per call (the latest draft's action items):
 * - accepted as drafted, or edited ("overridden": the edited type, due date and evidence count) — expected;
 * - added by a person (origin 'rep', or any person through the review API) — expected;
 * - rejected — not expected (kept in `rejected`, so a result page can say what was turned down).
 * A call is a case only when every one of its action items is decided and no standing decision is a
 * rep's alone (a trainer has not looked yet), the same rule as intent labels; a call with no action
 * item left after review is a case too (expecting none), when at least one item was decided.
 */
import type { Actor } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import type { TranscriptSegment } from "../draft/schema.ts";
import { ValidationError } from "../errors.ts";
import {
  checkFilters,
  recordingConditions,
  type NewSample,
  type SnapshotFilters,
  type SnapshotPreview,
} from "./datasets.ts";

/** The snapshot filters that apply to whole calls (intents and label decisions are per utterance). */
export type ActionItemFilters = Omit<SnapshotFilters, "intents" | "decisions">;

export const actionItemCaseLabel = "action_items";

export interface ExpectedActionItem {
  type: string | null;
  title: string;
  evidence: number[];
  dueDate: string | null;
  decision: "accepted" | "edited" | "added";
}

export interface ActionItemCase {
  language: "zh" | "en" | "mixed" | null;
  customerStage: string | null;
  segments: Array<Pick<TranscriptSegment, "ordinal" | "speaker" | "text">>;
  expected: ExpectedActionItem[];
  rejected: Array<{ type: string | null; evidence: number[] }>;
}

/** Whether a dataset version holds call-level action-item cases (see the file header). */
export function isActionItemVersion(version: { filters: Record<string, unknown> }): boolean {
  return version.filters.kind === "action_items";
}

/** The case a stored sample holds, or null when the sample is not an action-item case. */
export function actionItemCaseOf(sample: { label: string; metadata: Record<string, unknown> }): ActionItemCase | null {
  const metadata = sample.metadata;
  if (sample.label !== actionItemCaseLabel || !Array.isArray(metadata.segments) || !Array.isArray(metadata.expected)) return null;
  const language = metadata.language;
  return {
    language: language === "zh" || language === "en" || language === "mixed" ? language : null,
    customerStage: typeof metadata.customerStage === "string" ? metadata.customerStage : null,
    segments: metadata.segments as ActionItemCase["segments"],
    expected: metadata.expected as ExpectedActionItem[],
    rejected: Array.isArray(metadata.rejected) ? (metadata.rejected as ActionItemCase["rejected"]) : [],
  };
}

/** The action-item cases the actor may see, one per fully reviewed call (see the file header). */
export async function collectActionItemCases(
  db: Queryable,
  actor: Actor,
  filters: SnapshotFilters = {},
): Promise<NewSample[]> {
  checkFilters(filters);
  for (const name of ["intents", "decisions"] as const) {
    if (filters[name]?.length) {
      throw new ValidationError(`Filter "${name}" applies to intent labels, not to a dataset of reviewed calls.`);
    }
  }
  const params: unknown[] = [];
  const conditions = recordingConditions(actor, filters, params);
  if (filters.languages?.length) {
    params.push(filters.languages.map((language) => language.toLowerCase()));
    conditions.push(
      `split_part(lower(coalesce(nullif(r.language, 'auto'), t.language, '')), '-', 1) = ANY($${params.length}::text[])`,
    );
  }
  const { rows: calls } = await db.query<{
    recordingId: string;
    draftId: string;
    transcriptId: string;
    customerStage: string;
    language: string | null;
    teamId: string;
    callDate: Date;
  }>(
    `SELECT r.id AS "recordingId", latest.id AS "draftId", latest.transcript_id AS "transcriptId",
       r.customer_stage AS "customerStage", r.team_id AS "teamId",
       coalesce(r.call_date::timestamptz, r.created_at) AS "callDate",
       coalesce(nullif(r.language, 'auto'), t.language) AS language
     FROM recordings r
     JOIN LATERAL (SELECT d.id, d.transcript_id FROM drafts d WHERE d.recording_id = r.id ORDER BY d.created_at DESC LIMIT 1) latest ON true
     JOIN transcripts t ON t.id = latest.transcript_id
     WHERE ${conditions.join(" AND ")}
       AND EXISTS (SELECT 1 FROM draft_items i WHERE i.draft_id = latest.id AND i.kind = 'action_item' AND i.status <> 'pending')
       AND NOT EXISTS (SELECT 1 FROM draft_items i WHERE i.draft_id = latest.id AND i.kind = 'action_item'
                       AND (i.status = 'pending' OR i.decided_as = 'rep'))
     ORDER BY r.created_at, r.id`,
    params,
  );
  const samples: NewSample[] = [];
  for (const call of calls) {
    const [{ rows: segments }, { rows: items }] = await Promise.all([
      db.query<{ ordinal: number; speaker: string; text: string }>(
        "SELECT ordinal, speaker, text FROM segments WHERE transcript_id = $1 ORDER BY ordinal",
        [call.transcriptId],
      ),
      db.query<{ status: string; origin: string; evidence: number[]; content: Record<string, unknown> }>(
        `SELECT status, origin, evidence, coalesce(current_content, content) AS content FROM draft_items
         WHERE draft_id = $1 AND kind = 'action_item' ORDER BY position`,
        [call.draftId],
      ),
    ]);
    if (segments.length === 0) continue;
    const evidenceOf = (item: (typeof items)[number]) =>
      Array.isArray(item.content.evidence) ? (item.content.evidence as number[]) : item.evidence;
    const typeOf = (item: (typeof items)[number]) => (typeof item.content.type === "string" ? item.content.type : null);
    const language = call.language === "zh" || call.language === "en" || call.language === "mixed" ? call.language : null;
    const actionCase: ActionItemCase = {
      language,
      customerStage: call.customerStage,
      segments,
      expected: items
        .filter((item) => item.status === "accepted" || item.status === "overridden")
        .map((item) => ({
          type: typeOf(item),
          title: String(item.content.title ?? ""),
          evidence: evidenceOf(item),
          dueDate: typeof item.content.dueDate === "string" ? item.content.dueDate : null,
          decision: item.origin === "rep" ? "added" : item.status === "overridden" ? "edited" : "accepted",
        })),
      rejected: items.filter((item) => item.status === "rejected").map((item) => ({ type: typeOf(item), evidence: evidenceOf(item) })),
    };
    samples.push({
      caseKey: `call:${call.recordingId}`,
      split: "test",
      text: segments.map((segment) => `${segment.speaker}: ${segment.text}`).join("\n"),
      label: actionItemCaseLabel,
      // The call date resolves "by Friday" to a due date, so the agent sees the call's own.
      metadata: { kind: "action_items", teamId: call.teamId, callDate: new Date(call.callDate).toISOString(), ...actionCase },
      recordingId: call.recordingId,
    });
  }
  return samples;
}

/** The dataset builder's preview of reviewed calls: calls, and expected items per action type. */
export function previewActionItemCases(samples: readonly NewSample[]): SnapshotPreview {
  const counts = new Map<string, number>();
  for (const sample of samples) {
    for (const item of actionItemCaseOf({ label: sample.label, metadata: sample.metadata ?? {} })?.expected ?? []) {
      const type = item.type ?? "(none)";
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
  }
  return {
    samples: samples.length,
    recordings: samples.length,
    labels: [...counts]
      .map(([label, count]) => ({ label, count }))
      .sort((left, right) => right.count - left.count || left.label.localeCompare(right.label)),
  };
}
