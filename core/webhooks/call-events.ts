/**
 * The events the pipeline emits, built from what just happened: "call ready" when a recording's
 * drafts are done, "decision made" for every decision on a draft item, and "action item accepted"
 * when an action item is accepted (or accepted with an edit). Payloads carry redacted text only.
 */
import type { Actor } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import type { Job } from "../jobs/job-store.ts";
import { recordWebhookEvent } from "./outbox.ts";
import type { WebhookEventType } from "./types.ts";

async function subscribed(db: Queryable, workspaceId: string, types: WebhookEventType[]): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM webhook_subscriptions WHERE workspace_id = $1 AND enabled AND events && $2::text[] LIMIT 1", [workspaceId, types]);
  return rows.length > 0;
}

async function callSummary(db: Queryable, recordingId: string) {
  const { rows } = await db.query<{
    id: string;
    workspaceId: string;
    title: string;
    customerReference: string | null;
    customerStage: string;
    callDate: string | null;
    owner: { id: string; displayName: string; email: string };
    team: { id: string; name: string };
  }>(
    `SELECT r.id, r.workspace_id AS "workspaceId", r.title, r.customer_reference AS "customerReference", r.customer_stage AS "customerStage",
            to_char(r.call_date, 'YYYY-MM-DD') AS "callDate",
            json_build_object('id', u.id, 'displayName', u.display_name, 'email', u.email) AS owner,
            json_build_object('id', t.id, 'name', t.name) AS team
       FROM recordings r JOIN users u ON u.id = r.owner_id JOIN teams t ON t.id = r.team_id WHERE r.id = $1`,
    [recordingId],
  );
  return rows[0] ?? null;
}

/** In the draft job, after the recording became ready. One event per draft. */
export async function recordCallReady(db: Queryable, recordingId: string): Promise<Job[]> {
  const recording = await callSummary(db, recordingId);
  if (!recording || !(await subscribed(db, recording.workspaceId, ["call.ready"]))) return [];
  const { rows } = await db.query<{ draftId: string; kind: string; content: Record<string, unknown> }>(
    `SELECT i.draft_id AS "draftId", i.kind, i.content FROM draft_items i
      WHERE i.draft_id = (SELECT id FROM drafts WHERE recording_id = $1 ORDER BY created_at DESC LIMIT 1)
      ORDER BY i.kind, i.position`,
    [recordingId],
  );
  const draftId = rows[0]?.draftId ?? "none";
  const { workspaceId, ...call } = recording;
  return recordWebhookEvent(db, {
    workspaceId,
    type: "call.ready",
    recordingId,
    dedupeKey: `call.ready:${recordingId}:${draftId}`,
    data: {
      recording: call,
      counts: {
        intents: rows.filter((row) => row.kind === "intent").length,
        actionItems: rows.filter((row) => row.kind === "action_item").length,
        talkTracks: rows.filter((row) => row.kind === "talk_track").length,
      },
      actionItems: rows.filter((row) => row.kind === "action_item").map((row) => row.content),
      talkTracks: rows.filter((row) => row.kind === "talk_track").map((row) => row.content),
    },
  });
}

/** In the decision's transaction. */
export async function recordDecisionEvents(
  db: Queryable,
  actor: Actor,
  decision: {
    decisionId: string;
    action: "accept" | "reject" | "override" | "no_fit" | "undo";
    independent: boolean;
    decisionMs: number;
    item: { id: string; kind: string; recordingId: string; ownerId: string; workspaceId: string };
    content: unknown;
  },
): Promise<Job[]> {
  const types: WebhookEventType[] = ["decision.made"];
  const accepted = decision.item.kind === "action_item" && !decision.independent && (decision.action === "accept" || decision.action === "override");
  if (accepted) types.push("action_item.accepted");
  if (!(await subscribed(db, decision.item.workspaceId, types))) return [];
  const recording = await callSummary(db, decision.item.recordingId);
  if (!recording) return [];
  const { workspaceId, ...call } = recording;
  const data = {
    decisionId: decision.decisionId,
    action: decision.action,
    independent: decision.independent,
    decisionMs: decision.decisionMs,
    decidedBy: { id: actor.id, displayName: actor.displayName, role: actor.role, isCallOwner: actor.id === decision.item.ownerId },
    item: { id: decision.item.id, kind: decision.item.kind, content: decision.content },
    recording: call,
  };
  const jobs = await recordWebhookEvent(db, { workspaceId, type: "decision.made", recordingId: call.id, dedupeKey: `decision.made:${decision.decisionId}`, data });
  if (accepted) {
    jobs.push(
      ...(await recordWebhookEvent(db, {
        workspaceId,
        type: "action_item.accepted",
        recordingId: call.id,
        dedupeKey: `action_item.accepted:${decision.decisionId}`,
        data: { ...data, edited: decision.action === "override" },
      })),
    );
  }
  return jobs;
}
