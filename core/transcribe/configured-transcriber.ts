/**
 * Picks the transcriber the configuration asks for. `auto`: local whisper.cpp when a model is
 * configured, else an OpenAI-compatible endpoint when one is; with neither, a clear error that
 * says how to set one up (the recording fails with that reason and can be re-run later).
 */
import type { Config } from "../config.ts";
import { UnprocessableError } from "../errors.ts";
import { createOpenAiCompatibleTranscriber } from "./openai-compatible-transcriber.ts";
import type { Transcriber } from "./transcriber.ts";
import { createWhisperCppTranscriber } from "./whisper-cpp-transcriber.ts";

type TranscriberConfig = Pick<
  Config,
  | "TRANSCRIBER"
  | "WHISPER_MODEL"
  | "WHISPER_BINARY"
  | "TRANSCRIPTION_BASE_URL"
  | "TRANSCRIPTION_API_KEY"
  | "TRANSCRIPTION_MODEL"
>;

export function createConfiguredTranscriber(config: TranscriberConfig): Transcriber {
  const wantWhisper =
    config.TRANSCRIBER === "whisper-cpp" || (config.TRANSCRIBER === "auto" && config.WHISPER_MODEL);
  if (wantWhisper) {
    if (!config.WHISPER_MODEL) {
      throw new UnprocessableError(
        "TRANSCRIBER=whisper-cpp needs WHISPER_MODEL: download one with `npm run whisper:model -- base`.",
      );
    }
    return createWhisperCppTranscriber({
      modelPath: config.WHISPER_MODEL,
      binaryPath: config.WHISPER_BINARY,
    });
  }
  if (config.TRANSCRIPTION_BASE_URL) {
    return createOpenAiCompatibleTranscriber({
      baseUrl: config.TRANSCRIPTION_BASE_URL,
      apiKey: config.TRANSCRIPTION_API_KEY,
      model: config.TRANSCRIPTION_MODEL,
    });
  }
  throw new UnprocessableError(
    "No transcriber is configured. Set WHISPER_MODEL to a whisper.cpp model (npm run whisper:model -- base), " +
      "or TRANSCRIPTION_BASE_URL to an OpenAI-compatible transcription endpoint; then re-run this recording. " +
      "Transcripts exported from Zoom, Teams or Feishu can be imported without one.",
  );
}
