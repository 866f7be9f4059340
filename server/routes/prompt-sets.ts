/**
 * Prompt sets: versions with labels, diff, new versions (immutable), publish and roll back by moving
 * a label, and a sandbox run of any version on a sample, streamed as it is generated (nothing saved).
 */
import { Readable } from "node:stream";
import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { UnprocessableError } from "../../core/errors.ts";
import { createVersion, diffVersions, getVersion, labelHistory, listPromptSets, moveLabel } from "../../core/draft/prompt-set-store.ts";
import { draftLocally, loadCallForDrafting } from "../../core/draft/drafting.ts";
import { createConfiguredEmbedder } from "../../core/draft/configured-embedder.ts";
import type { Embedder } from "../../core/draft/embeddings.ts";
import { getRecording } from "../../core/upload/recordings.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { body, params, query } from "../http/validate.ts";

const setParams = z.object({ set: z.string().regex(/^[a-z0-9][a-z0-9-]*$/) });
const versionParams = setParams.extend({ version: z.string().min(1).max(100) });

export function promptSetRoutes(context: AppContext): Router {
  const router = Router();
  const { db, config } = context;

  // Whether the workspace has an enabled chat connector (one added in the UI, or the one made from
  // OPENAI_BASE_URL), so the UI says so before anyone picks a prompt-set target or presses Run.
  // Only its name leaves the server, never its key.
  router.get("/llm-status", allow("trainer", "admin", "manager"), async (request: Request, response: Response) => {
    const connector = await context.agents.connectors.defaultFor(actorOf(request).workspaceId, "chat");
    response.json({ configured: Boolean(connector), connector: connector ? { id: connector.id, name: connector.name } : null });
  });

  router.get("/prompt-sets", allow("trainer", "admin", "manager"), async (request: Request, response: Response) => {
    response.json({ promptSets: await listPromptSets(db, actorOf(request).workspaceId) });
  });

  router.get("/prompt-sets/:set/versions/:version", allow("trainer", "admin", "manager"), async (request: Request, response: Response) => {
    const { set, version } = params(request, versionParams);
    response.json({ version: await getVersion(db, actorOf(request).workspaceId, set, version) });
  });

  router.get("/prompt-sets/:set/diff", allow("trainer", "admin", "manager"), async (request: Request, response: Response) => {
    const { set } = params(request, setParams);
    const { from, to } = query(request, z.object({ from: z.string().min(1), to: z.string().min(1) }));
    response.json({ files: await diffVersions(db, actorOf(request).workspaceId, set, from, to) });
  });

  router.get("/prompt-sets/:set/history", allow("trainer", "admin", "manager"), async (request: Request, response: Response) => {
    const { set } = params(request, setParams);
    response.json({ events: await labelHistory(db, actorOf(request).workspaceId, set) });
  });

  router.post("/prompt-sets/:set/versions", allow("trainer", "admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { set } = params(request, setParams);
    const input = body(request, z.object({
      version: z.string().optional(),
      manifest: z.unknown(),
      system: z.string().max(100_000),
      user: z.string().max(100_000),
      parentVersionId: z.uuid().nullable().optional(),
    }));
    const version = await db.transaction((transaction) => createVersion(transaction, actor.workspaceId, { ...input, set, createdBy: actor.id }));
    response.status(201).json({ version });
  });

  router.put("/prompt-sets/:set/labels/:label", allow("trainer", "admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { set, label } = params(request, setParams.extend({ label: z.string() }));
    const input = body(request, z.object({ version: z.string().min(1), expectedVersionId: z.uuid().nullable().optional() }));
    const moved = await db.transaction((transaction) =>
      moveLabel(transaction, actor.workspaceId, { set, label, version: input.version, movedBy: actor.id, expectedVersionId: input.expectedVersionId }),
    );
    context.logger.info({ set, label, ...moved, by: actor.id }, "Prompt-set label moved");
    response.json(moved);
  });

  /**
   * The local engine in the sandbox, beside a prompt-set version: the same answer format as a
   * version's stream (the draft, a record separator, the final result), all at once. Nothing is
   * saved, and no LLM is needed.
   */
  let embedder: Embedder | null = null;
  router.post("/sandbox/local", allow("trainer", "admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { recordingId } = body(request, z.object({ recordingId: z.uuid() }));
    const recording = await getRecording(db, actor, recordingId);
    const call = await loadCallForDrafting(db, recording.id);
    embedder ??= createConfiguredEmbedder(config);
    const result = await draftLocally({ db, config, embedder }, call);
    response.setHeader("Content-Type", "text/plain; charset=utf-8");
    response.setHeader("Cache-Control", "no-cache");
    response.end(`${JSON.stringify(result.content, null, 2)}\n\u001e${JSON.stringify({ content: result.content, provenance: result.provenance })}`);
  });

  /** Streams a draft of a recording by a given version: plain text chunks of the model's JSON. */
  router.post("/prompt-sets/:set/versions/:version/try", allow("trainer", "admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { set, version } = params(request, versionParams);
    const { recordingId } = body(request, z.object({ recordingId: z.uuid() }));
    const connector = await context.agents.connectors.defaultFor(actor.workspaceId, "chat");
    if (!connector) {
      throw new UnprocessableError(
        "No LLM is configured: add a chat connector (Admin → Connectors) or set OPENAI_BASE_URL; the sandbox can only try prompt sets against an endpoint.",
      );
    }
    const recording = await getRecording(db, actor, recordingId);
    const promptSet = await getVersion(db, actor.workspaceId, set, version);
    const call = await loadCallForDrafting(db, recording.id);
    const controller = new AbortController();
    request.on("close", () => controller.abort());
    // Loaded on first use, so the AI SDK costs nothing at start-up when no LLM is configured.
    const { streamDraft } = await import("../../core/draft/llm/stream-draft.ts");
    const streamed = streamDraft(
      { baseUrl: connector.baseUrl, apiKey: connector.apiKey, promptSet, concurrency: connector.maxConcurrency, timeoutMs: connector.timeoutMs },
      call.input,
      { signal: controller.signal },
    );
    response.setHeader("Content-Type", "text/plain; charset=utf-8");
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("X-Accel-Buffering", "no");
    // The final validated draft follows the stream as one JSON line after a separator.
    const final = streamed.final.then(
      (result) => ({ content: result.content, provenance: result.provenance }),
      (error: Error) => ({ error: error.message }),
    );
    for await (const chunk of Readable.fromWeb(streamed.textStream as never)) response.write(chunk);
    response.end(`\n\u001e${JSON.stringify(await final)}`);
  });

  return router;
}
