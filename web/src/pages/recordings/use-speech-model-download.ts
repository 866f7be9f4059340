/**
 * The speech model's first-use download, as the transcribe job reports it in its stage
 * ("downloading speech model 143/466 MB", core/transcribe/whisper-model-on-first-use.ts): read from
 * the live job events so a recording that waits for the model says so instead of "Queued".
 */
import { useState } from "react";
import { useJobEvents } from "../../live/job-events.ts";

export interface SpeechModelDownload {
  receivedMegabytes: number;
  totalMegabytes: number | null;
  /** Another worker holds the download; this one waits for it. */
  waiting: boolean;
}

export function parseSpeechModelStage(stage: string | null): SpeechModelDownload | null {
  const match = /^(downloading|waiting for another worker's download of) speech model (\d+)(?:\/(\d+))? MB$/.exec(stage ?? "");
  if (!match) return null;
  return {
    receivedMegabytes: Number(match[2]),
    totalMegabytes: match[3] === undefined ? null : Number(match[3]),
    waiting: match[1] !== "downloading",
  };
}

/** The download in progress for this recording's transcription, or null. */
export function useSpeechModelDownload(recordingId: string): SpeechModelDownload | null {
  const [download, setDownload] = useState<SpeechModelDownload | null>(null);
  useJobEvents((event) => {
    if (event.queue !== "transcribe" || event.subjectType !== "recording" || event.subjectId !== recordingId) return;
    setDownload(event.state === "active" ? parseSpeechModelStage(event.stage) : null);
  });
  return download;
}
