/**
 * Picks the transcriber the configuration asks for. `auto`: local whisper.cpp with WHISPER_MODEL
 * when it is set; else an OpenAI-compatible endpoint when one is configured (TRANSCRIPTION_BASE_URL, or
 * the workspace's transcription connector from the UI, `transcriptionConnector`); else local whisper.cpp
 * with WHISPER_MODEL_NAME from DATA_DIR/models, downloaded on first use
 * (whisper-model-on-first-use.ts). The engine — native build or prebuilt — is speech-engine.ts's
 * choice. Failures carry a reason that says how to fix them; the recording can then be re-run.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import { CalibrateError, UnprocessableError } from "../errors.ts";
import { createOpenAiCompatibleTranscriber } from "./openai-compatible-transcriber.ts";
import { createPrebuiltWhisperTranscriber } from "./prebuilt-whisper-transcriber.ts";
import { chooseSpeechEngine, describeSpeechEngine, speechEngineAvailability, type SpeechEngineDescription } from "./speech-engine.ts";
import type { Transcriber } from "./transcriber.ts";
import { createWhisperCppTranscriber } from "./whisper-cpp-transcriber.ts";
import {
  ensureWhisperModel,
  whisperModelEntryOrThrow,
  type ModelDownloadProgress,
} from "./whisper-model-on-first-use.ts";
import { whisperModelUrl } from "./whisper-models.ts";

export type TranscriberConfig = Pick<
  Config,
  | "DATA_DIR"
  | "TRANSCRIBER"
  | "WHISPER_MODEL"
  | "WHISPER_MODEL_NAME"
  | "WHISPER_MODEL_URL"
  | "WHISPER_ENGINE"
  | "WHISPER_BINARY"
  | "TRANSCRIPTION_BASE_URL"
  | "TRANSCRIPTION_API_KEY"
  | "TRANSCRIPTION_MODEL"
>;

export type TranscriptionPlan =
  | { kind: "endpoint"; baseUrl: string; model: string }
  | { kind: "model-file"; modelPath: string }
  | { kind: "download-on-first-use"; modelName: string; modelPath: string; url: string; approximateMegabytes: number; present: boolean }
  | { kind: "none"; reason: string };

export function modelsDirectory(config: Pick<Config, "DATA_DIR">): string {
  return join(config.DATA_DIR, "models");
}

/** What a transcription would use, without doing anything (also for /healthz and start-up). */
export function planTranscription(config: TranscriberConfig): TranscriptionPlan {
  if (config.TRANSCRIBER === "openai") {
    return config.TRANSCRIPTION_BASE_URL
      ? { kind: "endpoint", baseUrl: config.TRANSCRIPTION_BASE_URL, model: config.TRANSCRIPTION_MODEL }
      : { kind: "none", reason: "TRANSCRIBER=openai needs TRANSCRIPTION_BASE_URL (an OpenAI-compatible /v1/audio/transcriptions endpoint)." };
  }
  if (config.WHISPER_MODEL) return { kind: "model-file", modelPath: config.WHISPER_MODEL };
  if (config.TRANSCRIBER === "auto" && config.TRANSCRIPTION_BASE_URL) {
    return { kind: "endpoint", baseUrl: config.TRANSCRIPTION_BASE_URL, model: config.TRANSCRIPTION_MODEL };
  }
  let entry;
  try {
    entry = whisperModelEntryOrThrow(config.WHISPER_MODEL_NAME);
  } catch (error) {
    return { kind: "none", reason: (error as Error).message };
  }
  const modelPath = join(modelsDirectory(config), entry.fileName);
  return {
    kind: "download-on-first-use",
    modelName: entry.name,
    modelPath,
    url: whisperModelUrl(entry, config.WHISPER_MODEL_URL),
    approximateMegabytes: entry.approximateMegabytes,
    present: existsSync(modelPath),
  };
}

/** An OpenAI-compatible transcription endpoint an admin added on the Model connectors page. */
export interface TranscriptionConnector {
  name: string;
  baseUrl: string;
  apiKey: string;
  defaultModel: string;
  timeoutMs: number;
}

export interface CreateTranscriberOptions {
  signal?: AbortSignal;
  /** Called while the model is being downloaded on first use. */
  onModelDownload?: (progress: ModelDownloadProgress) => void;
  /**
   * The workspace's enabled transcription connector, if any. It is used when the environment names
   * no transcriber of its own (TRANSCRIBER=auto without WHISPER_MODEL or TRANSCRIPTION_BASE_URL), in
   * place of downloading the local model: the admin who added it in the UI asked for it. The audio
   * goes to that endpoint as it is (audio cannot be redacted before it is transcribed).
   */
  transcriptionConnector?: () => Promise<TranscriptionConnector | null>;
}

export async function createConfiguredTranscriber(
  config: TranscriberConfig,
  options: CreateTranscriberOptions = {},
): Promise<Transcriber> {
  const plan = planTranscription(config);
  if (plan.kind === "download-on-first-use" && config.TRANSCRIBER === "auto" && options.transcriptionConnector) {
    const connector = await options.transcriptionConnector();
    if (connector) {
      return createOpenAiCompatibleTranscriber({
        name: `connector ${connector.name}`,
        baseUrl: connector.baseUrl,
        apiKey: connector.apiKey || undefined,
        model: connector.defaultModel,
        timeoutMs: connector.timeoutMs,
      });
    }
  }
  if (plan.kind === "none") throw new UnprocessableError(plan.reason);
  if (plan.kind === "endpoint") {
    return createOpenAiCompatibleTranscriber({
      baseUrl: plan.baseUrl,
      apiKey: config.TRANSCRIPTION_API_KEY,
      model: plan.model,
    });
  }
  // Local whisper.cpp: first the engine (nothing to download if none can run), then the model.
  const choice = chooseSpeechEngine(config.WHISPER_ENGINE, speechEngineAvailability(config.WHISPER_BINARY));
  if (choice.engine === null) throw new CalibrateError(`Local transcription is not possible: ${choice.reason}.`);
  const modelPath =
    plan.kind === "model-file"
      ? plan.modelPath
      : await ensureWhisperModel({
          model: whisperModelEntryOrThrow(plan.modelName),
          directory: modelsDirectory(config),
          baseUrl: config.WHISPER_MODEL_URL,
          signal: options.signal,
          onProgress: options.onModelDownload,
        });
  return choice.engine === "native"
    ? createWhisperCppTranscriber({ modelPath, binaryPath: config.WHISPER_BINARY })
    : createPrebuiltWhisperTranscriber({ modelPath });
}

export interface SpeechDescription {
  plan: TranscriptionPlan;
  /** Only for local whisper.cpp. */
  engine: SpeechEngineDescription | null;
}

/** For /healthz: where transcripts would come from, and with which engine and CPU features. */
export function describeSpeech(config: TranscriberConfig): SpeechDescription {
  const plan = planTranscription(config);
  const local = plan.kind === "model-file" || plan.kind === "download-on-first-use";
  return { plan, engine: local ? describeSpeechEngine(config.WHISPER_ENGINE, config.WHISPER_BINARY) : null };
}

/** One line for `npm start`: what the first upload will use. */
export function speechSummary({ plan, engine }: SpeechDescription): string {
  const engineText = engine
    ? engine.selected
      ? ` with the ${engine.selected === "native" ? `native whisper.cpp ${engine.native.whisperCppVersion} build` : `prebuilt whisper.cpp (@napi-rs/whisper ${engine.prebuilt.version})`}` +
        ` on ${engine.cpu.threads} threads, CPU ${engine.cpu.features?.join("/") || "features unknown"}`
      : `, but no engine can run: ${engine.reason}`
    : "";
  switch (plan.kind) {
    case "endpoint":
      return `Transcription: OpenAI-compatible endpoint ${plan.baseUrl} (model ${plan.model}).`;
    case "model-file":
      return `Transcription: whisper model ${plan.modelPath}${existsSync(plan.modelPath) ? "" : " (MISSING: fix WHISPER_MODEL)"}${engineText}.`;
    case "download-on-first-use":
      return plan.present
        ? `Transcription: whisper model ${plan.modelName} (${plan.modelPath})${engineText}.`
        : `Transcription: whisper model ${plan.modelName} (~${plan.approximateMegabytes} MB) will be downloaded on first use from ${plan.url} into ${plan.modelPath}${engineText}.`;
    case "none":
      return `Transcription: not configured (${plan.reason}); transcripts can still be imported.`;
  }
}
