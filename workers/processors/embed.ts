/**
 * embed: store embeddings of approved examples — intent samples (for few-shot retrieval) and talk
 * tracks (for the local engine) — from the human decisions on draft items. Items that are no longer
 * approved (undone, rejected) are kept but marked unapproved, so retrieval skips them.
 */
import type { Embedder } from "../../core/draft/embeddings.ts";
import { upsertEmbeddings } from "../../core/draft/embeddings.ts";
import type { EmbeddingItem } from "../../core/draft/embeddings.ts";
import { momentQueryText } from "../../core/draft/local/moments.ts";
import { defineHandler } from "../../core/jobs/runner.ts";
import type { HandlerDependencies } from "./dependencies.ts";

export function embedHandler({ db }: HandlerDependencies, embedder: Embedder) {
  return defineHandler<"embed">(async ({ payload, progress }) => {
    const { rows } = await db.query<{
      id: string;
      kind: string;
      status: string;
      recordingId: string;
      customerStage: string;
      content: Record<string, unknown>;
      segmentText: string | null;
      previousText: string | null;
    }>(
      `SELECT i.id, i.kind, i.status, i.recording_id AS "recordingId", r.customer_stage AS "customerStage",
              coalesce(i.current_content, i.content) AS content, s.text AS "segmentText", p.text AS "previousText"
       FROM draft_items i JOIN drafts d ON d.id = i.draft_id JOIN recordings r ON r.id = i.recording_id
       LEFT JOIN segments s ON s.transcript_id = d.transcript_id AND s.ordinal = i.segment_ordinal
       LEFT JOIN segments p ON p.transcript_id = d.transcript_id AND p.ordinal = i.segment_ordinal - 1
       WHERE i.id = ANY($1::uuid[]) AND r.workspace_id = $2`,
      [payload.sourceKeys, payload.workspaceId],
    );
    const approved = (status: string) => status === "accepted" || status === "overridden";
    const items = rows.flatMap((row): EmbeddingItem[] => {
      if (!row.segmentText) return [];
      if (row.kind === "intent") {
        return [{
          workspaceId: payload.workspaceId, sourceType: "sample" as const, sourceKey: row.id, recordingId: row.recordingId,
          text: row.segmentText, label: String(row.content.intent ?? ""), customerStage: row.customerStage, approved: approved(row.status),
          payload: { previousText: row.previousText },
        }];
      }
      if (row.kind === "talk_track") {
        return [{
          workspaceId: payload.workspaceId, sourceType: "talk_track" as const, sourceKey: row.id, recordingId: row.recordingId,
          text: momentQueryText(row.segmentText), customerStage: row.customerStage, approved: approved(row.status),
          payload: { moment: row.content.moment, customerText: row.segmentText, suggestion: row.content.suggestion, rationale: row.content.rationale },
        }];
      }
      return [];
    });
    await upsertEmbeddings(db, embedder, items);
    await progress(1);
  });
}
