import { describe, expect, it } from "vitest";
import { describeModelDownload } from "../../../../core/transcribe/whisper-model-on-first-use.ts";
import { parseSpeechModelStage } from "./use-speech-model-download.ts";

describe("parseSpeechModelStage", () => {
  it("reads back the stages the worker writes", () => {
    expect(parseSpeechModelStage(describeModelDownload({ receivedBytes: 143_000_000, totalBytes: 466_000_000, downloading: true }))).toEqual({
      receivedMegabytes: 143,
      totalMegabytes: 466,
      waiting: false,
    });
    expect(parseSpeechModelStage(describeModelDownload({ receivedBytes: 2_000_000, totalBytes: null, downloading: false }))).toEqual({
      receivedMegabytes: 2,
      totalMegabytes: null,
      waiting: true,
    });
  });

  it("ignores every other stage", () => {
    expect(parseSpeechModelStage("transcribe")).toBeNull();
    expect(parseSpeechModelStage(null)).toBeNull();
  });
});
