/**
 * Customer outcomes (stage changed, deal won/lost, customer replied, meeting booked) that come back
 * from a CRM — by signed webhook or CSV import — and attach to the calls of the customer reference
 * they name. Which calls: those of that reference whose call date (upload date when unset) lies in
 * the event's `window`, or, without a window, on or before the day the event happened (a call after
 * an outcome did not lead to it). A batch is all-or-nothing: any event naming an unknown reference,
 * or with no call in its window, refuses the whole batch (422, each reason listed) and stores nothing.
 *
 * "Advanced" (used by the review filter, talk-track counts and the capability map): the call's
 * customer was won, or moved to a stage later than the call's stage in the workspace's pipeline
 * order that is not a lost stage (a stage whose name contains "lost").
 */
import { z } from "zod";
import type { Actor } from "../auth/actor.ts";
import { recordingScope } from "../auth/actor.ts";
import type { Db, Queryable } from "../db/database.ts";
import { UnprocessableError } from "../errors.ts";

export const outcomeTypes = ["stage_changed", "deal_won", "deal_lost", "customer_replied", "meeting_booked"] as const;
export type OutcomeType = (typeof outcomeTypes)[number];

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Write dates as YYYY-MM-DD.");

export const outcomeEventSchema = z
  .object({
    /** The sender's id for this event: sending it again does not store it twice. */
    id: z.string().trim().min(1).max(200).optional(),
    customerReference: z.string().trim().min(1).max(300),
    type: z.enum(outcomeTypes),
    occurredAt: z.coerce.date(),
    /** stage_changed: the stage the customer moved to. */
    stage: z.string().trim().min(1).max(200).optional(),
    /** deal_won / deal_lost. */
    amount: z.number().finite().nonnegative().max(1e13).optional(),
    currency: z.string().trim().regex(/^[A-Za-z]{3}$/, "Use a 3-letter currency code.").optional(),
    /** customer_replied: the reply (or an excerpt), and/or keywords. */
    text: z.string().max(5000).optional(),
    keywords: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
    /** Attach to calls dated in this window (both ends included) instead of "on or before occurredAt". */
    window: z.object({ from: day.optional(), to: day.optional() }).optional(),
  })
  .superRefine((event, context) => {
    if (Number.isNaN(event.occurredAt.getTime())) context.addIssue({ code: "custom", path: ["occurredAt"], message: "Not a date." });
    if (event.type === "stage_changed" && !event.stage) context.addIssue({ code: "custom", path: ["stage"], message: "A stage change names the stage it moved to." });
    if (event.type === "deal_won" && event.amount === undefined) context.addIssue({ code: "custom", path: ["amount"], message: "A won deal carries its amount." });
    if (event.type === "customer_replied" && !event.text && !event.keywords?.length) {
      context.addIssue({ code: "custom", path: ["text"], message: "A reply carries its text or keywords." });
    }
  });
export type OutcomeEventInput = z.infer<typeof outcomeEventSchema>;

/** POST /api/outcomes/inbound/:workspaceId and POST /api/outcomes (JSON): one event or a batch. */
export const outcomeBatchSchema = z.preprocess(
  // A bare event is a batch of one (its issues then read `events.0.…`).
  (value) => (value !== null && typeof value === "object" && "events" in value ? value : { events: [value] }),
  z.object({ events: z.array(outcomeEventSchema).min(1).max(1000) }).transform((body) => body.events),
);

export interface OutcomeIssue {
  index: number;
  /** CSV: the file's line. */
  line?: number;
  customerReference: string;
  message: string;
}

export interface IngestReport {
  stored: number;
  /** Events whose id was already stored (re-sent). */
  duplicates: number;
  /** Calls the stored events were attached to, in total. */
  attachments: number;
  outcomeIds: string[];
}

/**
 * SQL: outcome `outcome` is an advance for call `call` in workspace `workspace` (aliases): the deal
 * was won, or the customer moved to a later stage that is not a lost one. The one place this rule is
 * written, for the call page, the review filter, training signal and the capability map alike.
 */
function advanceSql(outcome: string, call: string, workspace: string): string {
  return `(${outcome}.type = 'deal_won' OR (${outcome}.type = 'stage_changed' AND ${outcome}.stage NOT ILIKE '%lost%'
         AND coalesce(array_position(${workspace}.customer_stages, ${outcome}.stage), 0)
             > coalesce(array_position(${workspace}.customer_stages, ${call}.customer_stage), 1000)))`;
}

/** SQL: the call `alias` advanced (see the file comment). */
export function advancedSql(alias: string): string {
  return `EXISTS (SELECT 1 FROM outcome_event_calls advance_link
      JOIN outcome_events advance ON advance.id = advance_link.outcome_event_id
      JOIN workspaces advance_workspace ON advance_workspace.id = advance.workspace_id
     WHERE advance_link.recording_id = ${alias}.id
       AND ${advanceSql("advance", alias, "advance_workspace")})`;
}

/**
 * Stores a batch, all or nothing. `actor` narrows the calls that can be matched to what the actor
 * may see (CSV import by a manager); the signed webhook passes null and matches the whole workspace.
 */
export async function ingestOutcomes(
  db: Db,
  input: { workspaceId: string; actor: Actor | null; source: "webhook" | "csv"; events: OutcomeEventInput[]; lines?: number[] },
): Promise<IngestReport> {
  const stages = (await db.query<{ stages: string[] }>("SELECT customer_stages AS stages FROM workspaces WHERE id = $1", [input.workspaceId])).rows[0]?.stages ?? [];
  const scope = input.actor ? recordingScope(input.actor, "r", 2) : { sql: "r.workspace_id = $2", params: [input.workspaceId] };
  const issues: OutcomeIssue[] = [];
  const matched: string[][] = [];
  for (const [index, event] of input.events.entries()) {
    const issue = (message: string) => issues.push({ index, line: input.lines?.[index], customerReference: event.customerReference, message });
    if (event.type === "stage_changed" && event.stage && !stages.includes(event.stage)) {
      issue(`Unknown stage "${event.stage}"; use one of: ${stages.join(", ")}.`);
      matched.push([]);
      continue;
    }
    const { rows } = await db.query<{ id: string; day: string }>(
      `SELECT r.id, to_char(coalesce(r.call_date, r.created_at::date), 'YYYY-MM-DD') AS day FROM recordings r
        WHERE lower(r.customer_reference) = lower($1) AND ${scope.sql}`,
      [event.customerReference, ...scope.params],
    );
    if (rows.length === 0) {
      issue(`Unknown customer reference "${event.customerReference}": no call${input.actor && input.actor.role !== "admin" ? " you can see" : ""} carries it.`);
      matched.push([]);
      continue;
    }
    const from = event.window?.from ?? null;
    const to = event.window ? (event.window.to ?? null) : event.occurredAt.toISOString().slice(0, 10);
    const inWindow = rows.filter((row) => (from === null || row.day >= from) && (to === null || row.day <= to));
    if (inWindow.length === 0) {
      issue(
        event.window
          ? `No call of customer "${event.customerReference}" is dated between ${from ?? "the beginning"} and ${to ?? "today"} (its calls: ${rows.map((row) => row.day).sort().join(", ")}).`
          : `No call of customer "${event.customerReference}" is dated on or before ${to}; give a window to attach it to later calls.`,
      );
    }
    matched.push(inWindow.map((row) => row.id));
  }
  if (issues.length > 0) {
    throw new UnprocessableError(
      issues.length === 1 ? issues[0].message : `${issues.length} of ${input.events.length} outcomes cannot be attached; nothing was stored.`,
      issues,
    );
  }
  return db.transaction(async (transaction) => {
    const report: IngestReport = { stored: 0, duplicates: 0, attachments: 0, outcomeIds: [] };
    for (const [index, event] of input.events.entries()) {
      const { rows } = await transaction.query<{ id: string }>(
        `INSERT INTO outcome_events (workspace_id, customer_reference, type, stage, amount, currency, text, keywords, occurred_at, source, external_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (workspace_id, source, external_id) DO NOTHING RETURNING id`,
        [input.workspaceId, event.customerReference, event.type, event.stage ?? null, event.amount ?? null, event.currency?.toUpperCase() ?? null,
          event.text ?? null, event.keywords ?? [], event.occurredAt, input.source, event.id ?? null, input.actor?.id ?? null],
      );
      if (!rows[0]) {
        report.duplicates += 1;
        continue;
      }
      await transaction.query(
        "INSERT INTO outcome_event_calls (outcome_event_id, recording_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        [rows[0].id, matched[index]],
      );
      report.stored += 1;
      report.attachments += matched[index].length;
      report.outcomeIds.push(rows[0].id);
    }
    return report;
  });
}

export interface CallOutcome {
  id: string;
  type: OutcomeType;
  customerReference: string;
  stage: string | null;
  amount: number | null;
  currency: string | null;
  text: string | null;
  keywords: string[];
  occurredAt: Date;
  source: "webhook" | "csv";
  createdAt: Date;
  /** This outcome counts as an advance for the call it is shown on. */
  advance: boolean;
}

export interface AccountCall {
  id: string;
  title: string;
  callDate: string | null;
  customerStage: string;
  status: string;
  outcomes: number;
  advanced: boolean;
}

/** The call's outcomes and the other calls of its account that the actor may see. */
export async function outcomesOfRecording(
  db: Queryable,
  actor: Actor,
  recordingId: string,
): Promise<{ customerReference: string | null; outcomes: CallOutcome[]; accountCalls: AccountCall[] }> {
  const scope = recordingScope(actor, "r", 2);
  const recording = await db.query<{ customerReference: string | null }>(
    `SELECT r.customer_reference AS "customerReference" FROM recordings r WHERE r.id = $1 AND ${scope.sql}`,
    [recordingId, ...scope.params],
  );
  if (!recording.rows[0]) return { customerReference: null, outcomes: [], accountCalls: [] };
  const { rows: outcomes } = await db.query<CallOutcome>(
    `SELECT o.id, o.type, o.customer_reference AS "customerReference", o.stage, o.amount, o.currency, o.text, o.keywords,
            o.occurred_at AS "occurredAt", o.source, o.created_at AS "createdAt",
            ${advanceSql("o", "r", "w")} AS advance
       FROM outcome_event_calls link JOIN outcome_events o ON o.id = link.outcome_event_id
       JOIN recordings r ON r.id = link.recording_id JOIN workspaces w ON w.id = o.workspace_id
      WHERE link.recording_id = $1 ORDER BY o.occurred_at DESC, o.id`,
    [recordingId],
  );
  const reference = recording.rows[0].customerReference;
  if (!reference) return { customerReference: null, outcomes, accountCalls: [] };
  const accountScope = recordingScope(actor, "r", 3);
  const { rows: accountCalls } = await db.query<AccountCall>(
    `SELECT r.id, r.title, to_char(r.call_date, 'YYYY-MM-DD') AS "callDate", r.customer_stage AS "customerStage", r.status,
            (SELECT count(*)::int FROM outcome_event_calls link WHERE link.recording_id = r.id) AS outcomes,
            ${advancedSql("r")} AS advanced
       FROM recordings r
      WHERE r.workspace_id = (SELECT workspace_id FROM recordings WHERE id = $1) AND lower(r.customer_reference) = lower($2) AND ${accountScope.sql}
      ORDER BY coalesce(r.call_date, r.created_at::date) DESC, r.created_at DESC LIMIT 100`,
    [recordingId, reference, ...accountScope.params],
  );
  return { customerReference: reference, outcomes, accountCalls };
}

/** Erasure: the call's links go with it; outcomes no other call holds are deleted too. */
export async function eraseOutcomesOfRecording(db: Queryable, recordingId: string): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `DELETE FROM outcome_events o WHERE o.id IN (SELECT outcome_event_id FROM outcome_event_calls WHERE recording_id = $1)
       AND NOT EXISTS (SELECT 1 FROM outcome_event_calls other WHERE other.outcome_event_id = o.id AND other.recording_id <> $1)
     RETURNING o.id`,
    [recordingId],
  );
  return rows.length;
}
