/** Draft items as trainers see them: the drafted content, its current (human) state and its context. */
import type { Actor } from "../auth/actor.ts";
import { recordingScope } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import { NotFoundError } from "../errors.ts";

export type ItemKind = "intent" | "action_item" | "talk_track";
export type ItemStatus = "pending" | "accepted" | "rejected" | "overridden";

export interface ReviewItem {
  id: string;
  draftId: string;
  recordingId: string;
  recordingTitle: string;
  kind: ItemKind;
  position: number;
  segmentOrdinal: number | null;
  evidence: number[];
  content: Record<string, unknown>;
  currentContent: Record<string, unknown> | null;
  status: ItemStatus;
  revision: number;
  confidence: number | null;
  doubleLabel: boolean;
  segmentText: string | null;
  previousText: string | null;
  speaker: string | null;
  engine: "llm" | "local";
  model: string;
  promptSetVersion: string | null;
  customerStage: string;
  teamId: string;
  teamName: string;
  ownerId: string;
  workspaceId: string;
  createdAt: Date;
  /** 'engine' for drafted items, 'rep' for action items a rep added. */
  origin: "engine" | "rep";
  /** The role behind the standing decision: null while undecided. */
  decidedAs: "rep" | "trainer" | null;
  /** The agent run that made the item (null for items drafted before agents, or added by a rep). */
  agentRunId: string | null;
  agent: string | null;
  /** "Why?": the trace of the invocation that made the item. */
  traceId: string | null;
}

export const selectItems = `
  SELECT i.id, i.draft_id AS "draftId", i.recording_id AS "recordingId", r.title AS "recordingTitle", i.kind, i.position,
         i.segment_ordinal AS "segmentOrdinal", i.evidence, i.content, i.current_content AS "currentContent", i.status,
         i.revision, i.confidence, i.double_label AS "doubleLabel", s.text AS "segmentText", p.text AS "previousText",
         s.speaker, coalesce(ar.engine, d.engine) AS engine, coalesce(ar.model, d.model) AS model,
         CASE WHEN ar.id IS NULL THEN d.prompt_set_version ELSE ar.prompt_set_version END AS "promptSetVersion", r.customer_stage AS "customerStage",
         r.team_id AS "teamId", t.name AS "teamName", r.owner_id AS "ownerId", r.workspace_id AS "workspaceId", i.created_at AS "createdAt",
         i.origin, i.decided_as AS "decidedAs", i.agent_run_id AS "agentRunId", ar.agent, ar.trace_id AS "traceId"
  FROM draft_items i
  JOIN drafts d ON d.id = i.draft_id
  LEFT JOIN agent_runs ar ON ar.id = i.agent_run_id
  JOIN recordings r ON r.id = i.recording_id
  JOIN teams t ON t.id = r.team_id
  LEFT JOIN segments s ON s.transcript_id = d.transcript_id AND s.ordinal = i.segment_ordinal
  LEFT JOIN segments p ON p.transcript_id = d.transcript_id AND p.ordinal = i.segment_ordinal - 1`;

export async function getItem(db: Queryable, actor: Actor, id: string, options: { forUpdate?: boolean } = {}): Promise<ReviewItem> {
  const scope = recordingScope(actor, "r", 2);
  const { rows } = await db.query<ReviewItem>(
    `${selectItems} WHERE i.id = $1 AND ${scope.sql}${options.forUpdate ? " FOR UPDATE OF i" : ""}`,
    [id, ...scope.params],
  );
  if (!rows[0]) throw new NotFoundError("Draft item not found.");
  return rows[0];
}

/** The latest draft of a recording, with its items (all kinds, or those asked for) in transcript order. */
export async function getRecordingDraft(db: Queryable, actor: Actor, recordingId: string, options: { kinds?: ItemKind[] } = {}) {
  const scope = recordingScope(actor, "r", 2);
  const { rows } = await db.query<{
    id: string;
    engine: string;
    model: string;
    promptSetVersion: string | null;
    inputTokens: number;
    outputTokens: number;
    latencyMs: number;
    estimatedCostUsd: number;
    notes: string[];
    createdAt: Date;
  }>(
    `SELECT d.id, d.engine, d.model, d.prompt_set_version AS "promptSetVersion", d.input_tokens AS "inputTokens",
            d.output_tokens AS "outputTokens", d.latency_ms AS "latencyMs", d.estimated_cost_usd AS "estimatedCostUsd",
            d.notes, d.created_at AS "createdAt"
     FROM drafts d JOIN recordings r ON r.id = d.recording_id
     WHERE d.recording_id = $1 AND ${scope.sql} ORDER BY d.created_at DESC LIMIT 1`,
    [recordingId, ...scope.params],
  );
  if (!rows[0]) return null;
  const items = await db.query<ReviewItem>(
    `${selectItems} WHERE i.draft_id = $1 AND ($2::text[] IS NULL OR i.kind = ANY($2::text[]))
     ORDER BY i.kind, coalesce(i.segment_ordinal, 0), i.position`,
    [rows[0].id, options.kinds ?? null],
  );
  return { ...rows[0], items: items.rows };
}
