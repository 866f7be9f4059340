/**
 * Drill-down into one cell of the map: the calls behind it and the most recent decisions on their
 * drafts, read live (not from the rollup) and paginated. The cell's population is the same as the
 * map's: drafts made in the period (local days in the rollup's time zone), of recordings in the
 * team's subtree and stage. The team must be inside the caller's view, so nothing outside a
 * manager's subtree can be listed.
 */
import type { Actor } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import { ValidationError } from "../errors.ts";
import type { PeriodInput } from "./period.ts";
import { resolvePeriods, todayIn } from "./period.ts";
import { getRollupState, workspaceTimeZone } from "./rollup.ts";
import { resolveScope } from "./scope.ts";

export interface CellDetailQuery extends PeriodInput {
  teamId: string;
  stage: string;
  /** 1-based page of calls and of decisions; each list pages on its own. */
  callsPage?: number;
  decisionsPage?: number;
  /** Rows per page, 1–100 (default 25). */
  pageSize?: number;
}

export interface CellCall {
  recordingId: string;
  title: string;
  owner: { id: string; displayName: string };
  callDate: string | null;
  uploadedAt: Date;
  /** The latest draft of this call inside the period. */
  lastDraftedAt: Date;
  drafts: number;
  draftedItems: number;
  decidedItems: number;
  acceptedItems: number;
  rejectedItems: number;
  overriddenItems: number;
}

export interface CellDecision {
  decisionId: string;
  action: "accept" | "reject" | "override" | "no_fit" | "undo";
  /** An undo decision cancelled this one. */
  undone: boolean;
  undoesDecisionId: string | null;
  decidedAt: Date;
  decisionMs: number;
  itemId: string;
  itemKind: "intent" | "action_item" | "talk_track";
  recordingId: string;
  recordingTitle: string;
  user: { id: string; displayName: string };
}

export interface Page<Item> {
  items: Item[];
  total: number;
  page: number;
  pageSize: number;
}

export interface CellDetail {
  quarter: string | null;
  period: { from: string; to: string };
  timeZone: string;
  team: { id: string; name: string };
  stage: string;
  calls: Page<CellCall>;
  decisions: Page<CellDecision>;
}

export const defaultPageSize = 25;
export const maximumPageSize = 100;

export async function getCapabilityCell(
  db: Queryable,
  actor: Actor,
  query: CellDetailQuery,
): Promise<CellDetail> {
  const pageSize = query.pageSize ?? defaultPageSize;
  const callsPage = query.callsPage ?? 1;
  const decisionsPage = query.decisionsPage ?? 1;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maximumPageSize) {
    throw new ValidationError(`pageSize must be a whole number from 1 to ${maximumPageSize}.`);
  }
  for (const [name, page] of [
    ["callsPage", callsPage],
    ["decisionsPage", decisionsPage],
  ] as const) {
    if (!Number.isInteger(page) || page < 1)
      throw new ValidationError(`${name} must be a whole number of at least 1.`);
  }
  if (!query.stage.trim()) throw new ValidationError("Name the customer stage of the cell.");

  const scope = await resolveScope(db, actor, query.teamId);
  const team = scope.focus!;
  const state = await getRollupState(db, actor.workspaceId);
  const timeZone = state?.timeZone ?? (await workspaceTimeZone(db, actor.workspaceId));
  const { current } = resolvePeriods(query, todayIn(timeZone));

  // The cell's drafts, once; the calls are paged from them here and the other queries take their ids.
  const { rows: cellDrafts } = await db.query<{ id: string; recordingId: string; createdAt: Date }>(
    `SELECT draft.id, draft.recording_id AS "recordingId", draft.created_at AS "createdAt"
       FROM drafts draft JOIN recordings recording ON recording.id = draft.recording_id
      WHERE recording.workspace_id = $1 AND recording.status <> 'erased' AND recording.customer_stage = $3
        AND recording.team_id IN (SELECT id FROM teams WHERE workspace_id = $1 AND path LIKE $2)
        AND draft.created_at >= ($4::date::timestamp AT TIME ZONE $6)
        AND draft.created_at < (($5::date + 1)::timestamp AT TIME ZONE $6)`,
    [actor.workspaceId, `${team.path}%`, query.stage, current.from, current.to, timeZone],
  );
  const byRecording = new Map<string, { drafts: string[]; lastDraftedAt: Date }>();
  for (const draft of cellDrafts) {
    const entry = byRecording.get(draft.recordingId) ?? {
      drafts: [],
      lastDraftedAt: new Date(draft.createdAt),
    };
    entry.drafts.push(draft.id);
    if (new Date(draft.createdAt) > entry.lastDraftedAt)
      entry.lastDraftedAt = new Date(draft.createdAt);
    byRecording.set(draft.recordingId, entry);
  }
  const pageOfCalls = [...byRecording.entries()]
    .sort(
      ([idA, a], [idB, b]) =>
        b.lastDraftedAt.getTime() - a.lastDraftedAt.getTime() || (idA < idB ? -1 : 1),
    )
    .slice((callsPage - 1) * pageSize, callsPage * pageSize);
  const draftIds = cellDrafts.map((draft) => draft.id);

  const [calls, decisions] = await Promise.all([
    db.query<
      Omit<CellCall, "owner" | "drafts" | "lastDraftedAt"> & { ownerId: string; ownerName: string }
    >(
      `SELECT recording.id AS "recordingId", recording.title, recording.call_date::text AS "callDate",
              recording.created_at AS "uploadedAt", owner.id AS "ownerId", owner.display_name AS "ownerName",
              counts.drafted_items AS "draftedItems", counts.decided_items AS "decidedItems",
              counts.accepted_items AS "acceptedItems", counts.rejected_items AS "rejectedItems",
              counts.overridden_items AS "overriddenItems"
         FROM recordings recording
         JOIN users owner ON owner.id = recording.owner_id
         CROSS JOIN LATERAL (
           SELECT count(*)::integer AS drafted_items, count(latest.action)::integer AS decided_items,
                  (count(*) FILTER (WHERE latest.action = 'accept'))::integer AS accepted_items,
                  (count(*) FILTER (WHERE latest.action = 'reject'))::integer AS rejected_items,
                  (count(*) FILTER (WHERE latest.action = 'override'))::integer AS overridden_items
             FROM draft_items item
             LEFT JOIN LATERAL (
               SELECT decision.action FROM decisions decision
                WHERE decision.draft_item_id = item.id AND decision.action <> 'undo'
                  AND NOT EXISTS (SELECT 1 FROM decisions undo
                                   WHERE undo.undoes_decision_id = decision.id AND undo.action = 'undo')
                ORDER BY decision.decided_at DESC, decision.id DESC LIMIT 1
             ) latest ON true
            WHERE item.draft_id = ANY($2::uuid[]) AND item.recording_id = recording.id
         ) counts
        WHERE recording.id = ANY($1::uuid[])`,
      [
        pageOfCalls.map(([recordingId]) => recordingId),
        pageOfCalls.flatMap(([, entry]) => entry.drafts),
      ],
    ),
    // Two steps: rank the cell's decisions on the decisions_item index alone (draft_item_id,
    // decided_at — an index-only scan, with the window count as the total before LIMIT), then read
    // the full rows of the one page. Reading every decision row of a large cell just to sort it
    // costs more than the map itself.
    db.query<Omit<CellDecision, "user"> & { userId: string; userName: string; total: number }>(
      `WITH ranked AS (
         SELECT item.id AS item_id, ranked_decision.decided_at, (count(*) OVER ())::integer AS total
           FROM draft_items item
           JOIN decisions ranked_decision ON ranked_decision.draft_item_id = item.id
          WHERE item.draft_id = ANY($1::uuid[])
          ORDER BY ranked_decision.decided_at DESC, item.id DESC
          LIMIT $2 OFFSET $3
       )
       SELECT decision.id AS "decisionId", decision.action, decision.undoes_decision_id AS "undoesDecisionId",
              decision.decided_at AS "decidedAt", decision.decision_ms AS "decisionMs",
              item.id AS "itemId", item.kind AS "itemKind",
              recording.id AS "recordingId", recording.title AS "recordingTitle",
              person.id AS "userId", person.display_name AS "userName",
              EXISTS (SELECT 1 FROM decisions undo
                       WHERE undo.undoes_decision_id = decision.id AND undo.action = 'undo') AS undone,
              ranked.total
         FROM ranked
         JOIN decisions decision ON decision.draft_item_id = ranked.item_id AND decision.decided_at = ranked.decided_at
         JOIN draft_items item ON item.id = decision.draft_item_id
         JOIN recordings recording ON recording.id = item.recording_id
         JOIN users person ON person.id = decision.user_id
        ORDER BY decision.decided_at DESC, item.id DESC, decision.id DESC`,
      [draftIds, pageSize, (decisionsPage - 1) * pageSize],
    ),
  ]);
  let decisionTotal = decisions.rows[0]?.total ?? 0;
  if (decisions.rows.length === 0 && decisionsPage > 1) {
    // Past the last page: the window had no rows to count.
    const { rows } = await db.query<{ total: number }>(
      `SELECT count(*)::integer AS total FROM draft_items item JOIN decisions decision ON decision.draft_item_id = item.id
        WHERE item.draft_id = ANY($1::uuid[])`,
      [draftIds],
    );
    decisionTotal = rows[0].total;
  }
  const callDetails = new Map(calls.rows.map((call) => [call.recordingId, call]));

  return {
    quarter: current.quarter,
    period: { from: current.from, to: current.to },
    timeZone,
    team: { id: team.id, name: team.name },
    stage: query.stage,
    calls: {
      items: pageOfCalls.map(([recordingId, entry]) => {
        const { ownerId, ownerName, ...call } = callDetails.get(recordingId)!;
        return {
          ...call,
          owner: { id: ownerId, displayName: ownerName },
          drafts: entry.drafts.length,
          lastDraftedAt: entry.lastDraftedAt,
        };
      }),
      total: byRecording.size,
      page: callsPage,
      pageSize,
    },
    decisions: {
      items: decisions.rows.map(({ userId, userName, total: _total, ...decision }) => ({
        ...decision,
        user: { id: userId, displayName: userName },
      })),
      total: decisionTotal,
      page: decisionsPage,
      pageSize,
    },
  };
}
