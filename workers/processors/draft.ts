/** draft: draft intents, action items and talk tracks for a transcribed recording; the recording is then ready. */
import type { Embedder } from "../../core/draft/embeddings.ts";
import { draftRecording } from "../../core/draft/drafting.ts";
import { defineHandler } from "../../core/jobs/runner.ts";
import { getRecordingForWork, setRecordingStatus } from "../../core/upload/recordings.ts";
import { recordCallReady } from "../../core/webhooks/call-events.ts";
import { handOverAll } from "../../core/webhooks/outbox.ts";
import type { HandlerDependencies } from "./dependencies.ts";

export function draftHandler({ db, config, logger, dispatcher }: HandlerDependencies, embedder: Embedder) {
  return defineHandler<"draft">(
    async ({ payload, progress, signal }) => {
      const recording = await getRecordingForWork(db, payload.recordingId);
      if (!recording) return; // Erased while queued.
      await setRecordingStatus(db, recording.id, { status: "drafting", progress: 0 });
      await progress(0.1, "drafting");
      const result = await draftRecording({ db, config, embedder }, recording.id, { signal });
      const webhookJobs = await db.transaction(async (transaction) => {
        await setRecordingStatus(transaction, recording.id, { status: "ready", progress: 1 });
        return recordCallReady(transaction, recording.id);
      });
      await handOverAll(dispatcher, webhookJobs);
      logger.info({ recordingId: recording.id, ...result }, "Draft ready");
    },
    {
      onPermanentFailure: (payload, message) =>
        setRecordingStatus(db, payload.recordingId, { status: "failed", failureReason: `Drafting failed: ${message}` }),
    },
  );
}
