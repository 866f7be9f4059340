/**
 * What an upload sends, kept apart from the screen so it can be tested: which endpoint a file goes
 * to (audio is transcribed, a transcript file is imported as is) and the multipart body, with the
 * metadata fields first and the file part last, because the server streams the file to disk as it
 * arrives and must already know the fields by then.
 */
import type { RecordingLanguage } from "../../api/types.ts";

export type UploadKind = "audio" | "transcript";

export const transcriptExtensions = [".vtt", ".srt", ".txt", ".json"] as const;
export const audioExtensions = [
  ".mp3",
  ".m4a",
  ".wav",
  ".ogg",
  ".oga",
  ".opus",
  ".flac",
  ".webm",
  ".aac",
  ".amr",
  ".wma",
  ".mp4",
  ".mov",
  ".3gp",
] as const;

/** The `accept` attribute for the file picker: audio, video containers with audio, transcripts. */
export const acceptedFileTypes = [
  "audio/*",
  "video/mp4",
  "video/webm",
  ...audioExtensions,
  ...transcriptExtensions,
].join(",");

export function uploadKindOf(filename: string): UploadKind {
  const lower = filename.toLowerCase();
  return transcriptExtensions.some((extension) => lower.endsWith(extension))
    ? "transcript"
    : "audio";
}

export function uploadEndpoint(kind: UploadKind): string {
  return kind === "transcript" ? "/api/recordings/import" : "/api/recordings";
}

export interface UploadMetadata {
  customerStage: string;
  customerReference: string;
  /** YYYY-MM-DD or empty. */
  callDate: string;
  language: RecordingLanguage;
  consent: boolean;
  title?: string;
}

export function buildUploadForm(metadata: UploadMetadata, file: Blob, filename: string): FormData {
  const form = new FormData();
  form.append("customerStage", metadata.customerStage);
  if (metadata.customerReference.trim())
    form.append("customerReference", metadata.customerReference.trim());
  if (metadata.callDate) form.append("callDate", metadata.callDate);
  form.append("language", metadata.language);
  form.append("consent", metadata.consent ? "true" : "false");
  if (metadata.title?.trim()) form.append("title", metadata.title.trim());
  form.append("file", file, filename);
  return form;
}
