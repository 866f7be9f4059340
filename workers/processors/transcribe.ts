/**
 * transcribe: probe, normalise, split stereo by channel, transcribe in chunks, merge, redact, store —
 * then enqueue drafting. Idempotent: a re-run replaces the transcript.
 */
import os from "node:os";
import { getTeam } from "../../core/auth/teams.ts";
import { insertJob } from "../../core/jobs/job-store.ts";
import { defineHandler } from "../../core/jobs/runner.ts";
import type { TranscriptionStage } from "../../core/transcribe/transcribe-recording.ts";
import { transcribeRecording } from "../../core/transcribe/transcribe-recording.ts";
import { createConfiguredTranscriber } from "../../core/transcribe/configured-transcriber.ts";
import { mediaToolsEnvironment, resolveMediaToolsOnce } from "../../core/transcribe/resolve-media-tools.ts";
import { getRecordingForWork, setRecordingStatus, setTranscriptionProgress, storeTranscript } from "../../core/upload/recordings.ts";
import type { HandlerDependencies } from "./dependencies.ts";
import type { Logger } from "pino";
import { describeModelDownload, type ModelDownloadProgress } from "../../core/transcribe/whisper-model-on-first-use.ts";

/** "downloading speech model 143/466 MB" as the job's stage and progress, and every 10% in the log. */
function reportModelDownload(logger: Logger, progress: (fraction: number, stage?: string) => Promise<void>) {
  let lastLoggedTenth = -1;
  let lastReportAt = 0;
  return ({ receivedBytes, totalBytes, downloading }: ModelDownloadProgress) => {
    const now = Date.now();
    // Chunks arrive many times a second; the stage text changes with every MB.
    if (now - lastReportAt < 500 && receivedBytes !== totalBytes) return;
    lastReportAt = now;
    const stage = describeModelDownload({ receivedBytes, totalBytes, downloading });
    const fraction = totalBytes ? Math.min(1, receivedBytes / totalBytes) : 0;
    void progress(fraction, stage).catch(() => {});
    const tenth = Math.floor(fraction * 10);
    if (tenth !== lastLoggedTenth) {
      lastLoggedTenth = tenth;
      logger.info({ receivedBytes, totalBytes }, stage);
    }
  };
}

const statusOfStage: Record<TranscriptionStage, "normalising" | "transcribing"> = {
  probe: "normalising",
  normalise: "normalising",
  transcribe: "transcribing",
  merge: "transcribing",
  complete: "transcribing",
};

export function transcribeHandler({ db, config, dispatcher, blobs, logger, agents }: HandlerDependencies) {
  return defineHandler<"transcribe">(
    async ({ payload, progress, signal }) => {
      const recording = await getRecordingForWork(db, payload.recordingId);
      if (!recording || !recording.storageKey) return; // Erased while queued: nothing to do.
      // Chosen per run, so a transcriber configured (or a model fetched) after a failure is used by
      // the retry. On first use this downloads the speech model, shown as the job's stage.
      const transcriber = await createConfiguredTranscriber(config, {
        signal,
        onModelDownload: reportModelDownload(logger, progress),
        transcriptionConnector: () => agents.connectors.defaultFor(recording.workspaceId, "transcription"),
      });
      const team = await getTeam(db, recording.teamId);
      let status: "normalising" | "transcribing" | null = null;
      let lastWrite = 0;
      // Progress writes run one after another and are all done before the transcript is stored.
      let progressWrites: Promise<void> = Promise.resolve();
      const result = await transcribeRecording(
        {
          transcriber,
          tempDirectory: os.tmpdir(),
          tools: resolveMediaToolsOnce(mediaToolsEnvironment(config)),
          limits: { maxDurationMs: config.UPLOAD_MAX_DURATION_SECONDS * 1000 },
          agentChannel: team.agentChannel,
          language: recording.language === "auto" ? null : recording.language,
          concurrency: transcriber.name === "whisper.cpp" ? 1 : 2,
          signal,
          onProgress: (fraction, stage) => {
            void progress(fraction, stage);
            const next = statusOfStage[stage];
            if (next !== status || Date.now() - lastWrite > 1000) {
              status = next;
              lastWrite = Date.now();
              const write = { status: next, progress: fraction };
              progressWrites = progressWrites.then(() => setTranscriptionProgress(db, recording.id, write)).catch(() => {});
            }
          },
        },
        await blobs.localPath(recording.storageKey),
      );
      await progressWrites;
      const job = await db.transaction(async (transaction) => {
        await storeTranscript(transaction, recording.id, {
          language: result.language,
          transcriber: result.transcriber.name,
          model: result.transcriber.model,
          segments: result.segments,
        });
        await setRecordingStatus(transaction, recording.id, {
          status: "drafting",
          progress: 0,
          durationMs: result.durationMs,
          channels: result.channels,
        });
        const { job } = await insertJob(transaction, {
          queue: "draft",
          payload: { recordingId: recording.id },
          dedupeKey: `draft:${recording.id}`,
          workspaceId: recording.workspaceId,
          ownerId: recording.ownerId,
          teamPath: recording.teamPath,
          subject: { type: "recording", id: recording.id },
        });
        return job;
      });
      await dispatcher.handOver(job);
    },
    {
      onPermanentFailure: (payload, message) =>
        setRecordingStatus(db, payload.recordingId, { status: "failed", failureReason: message }),
    },
  );
}
