/**
 * Start-up preparation of a workspace, idempotent: prompt sets from `prompts/` into the database,
 * the vector index for the embedder's dimension, and the shipped approved talk tracks embedded so
 * the local engine can retrieve them on day one. Re-embeds what an earlier embedder embedded when
 * the embedder changed.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import type { Queryable } from "../db/database.ts";
import { loadSeedTalkTracks } from "../dataset/seed.ts";
import type { Embedder } from "./embeddings.ts";
import { ensureVectorIndex, upsertEmbeddings } from "./embeddings.ts";
import { momentQueryText } from "./local/moments.ts";
import { syncPromptSetsFromFiles } from "./prompt-set-store.ts";
import type { SyncReport } from "./prompt-set-store.ts";

export const promptsDirectory = path.resolve(import.meta.dirname, "../../prompts");

export async function prepareWorkspace(
  db: Queryable,
  workspaceId: string,
  embedder: Embedder,
  options: { promptsDirectory?: string } = {},
): Promise<{ promptSets: SyncReport; embedded: number }> {
  const promptSets = await syncPromptSetsFromFiles(db, workspaceId, options.promptsDirectory ?? promptsDirectory);
  await ensureVectorIndex(db, embedder.dimensions);
  const seeds = loadSeedTalkTracks().map((track) => ({
    workspaceId,
    sourceType: "talk_track" as const,
    // Keyed by content, so editing or reordering the seed file never re-points an existing key.
    sourceKey: `seed:${createHash("sha256").update(`${track.customerText}\n${track.suggestion}`).digest("hex").slice(0, 24)}`,
    text: momentQueryText(track.customerText),
    approved: true,
    payload: {
      moment: track.moment, customerText: track.customerText, suggestion: track.suggestion, rationale: track.rationale,
      language: track.language, industry: track.industry, ...(track.stages ? { stages: track.stages } : {}), seed: true,
    },
  }));
  const embedded = await upsertEmbeddings(db, embedder, seeds);
  return { promptSets, embedded };
}

/**
 * Approved samples and talk tracks not yet embedded by `embedder` — all of them after the embedder
 * changed (a new model or dimension). The caller enqueues `embed` jobs for them, in the background.
 */
export async function approvedItemsWithoutEmbeddings(
  db: Queryable,
  workspaceId: string,
  embedder: Pick<Embedder, "name">,
): Promise<Array<{ id: string; kind: "intent" | "talk_track" }>> {
  const { rows } = await db.query<{ id: string; kind: "intent" | "talk_track" }>(
    `SELECT i.id, i.kind FROM draft_items i JOIN recordings r ON r.id = i.recording_id
     WHERE r.workspace_id = $1 AND i.kind IN ('intent', 'talk_track') AND i.status IN ('accepted', 'overridden')
       AND i.decided_as IS DISTINCT FROM 'rep' -- a rep's correction waits for a trainer's approval
       AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.workspace_id = $1 AND e.embedder = $2 AND e.source_key = i.id::text)`,
    [workspaceId, embedder.name],
  );
  return rows;
}
