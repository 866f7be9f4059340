/**
 * Turns any accepted upload into 16 kHz mono 16-bit PCM WAV files on disk — what whisper and the
 * transcription APIs expect — in one ffmpeg pass that streams from file to file, so a long call is
 * never held in memory.
 *
 * Stereo call recordings carry one party per channel, so each channel becomes its own track
 * (agent / customer) and is transcribed separately: that is exact diarisation for free. In
 * "auto" mode we measure the channels in the same pass and do not split when both channels
 * carry the same signal (dual-mono phone exports), which would transcribe everything twice, and
 * we drop a channel that is silent throughout.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { UnprocessableError } from "../errors.ts";
import {
  defaultMediaTools,
  formatDuration,
  missingToolError,
  parseOverallRmsDb,
  untrustedInputArguments,
  type MediaTools,
} from "./media-tools.ts";
import { assertWithinMaximumDuration, type AudioProbe } from "./probe-audio.ts";
import { ProcessFailedError, runProcess } from "./run-process.ts";
import { readWavHeader, wavDurationMs } from "./wav-header.ts";

export const normalisedSampleRate = 16_000;

/** "split": one track per stereo channel; "mix": one mono track; "auto": split unless the channels are the same. */
export type StereoMode = "auto" | "split" | "mix";

export type TrackChannel = "left" | "right" | "mixed";

export interface NormalisedTrack {
  path: string;
  channel: TrackChannel;
  durationMs: number;
  /** RMS level over the whole track in dBFS (-Infinity: digital silence); null if not measured. */
  rmsDb: number | null;
}

export interface NormaliseResult {
  tracks: NormalisedTrack[];
  /** Decoded duration (exact, unlike a container's estimate). */
  durationMs: number;
  /** Why the tracks look the way they do; useful in logs and the UI. */
  layout: "mono" | "mixed" | "split" | "dual-mono" | "one-channel-silent";
  /** RMS level per source channel when measured (stereo input), in dBFS; -Infinity for digital silence. */
  channelLevelsDb: { left: number; right: number; difference: number } | null;
}

export interface NormaliseOptions {
  outputDirectory: string;
  probe: AudioProbe;
  stereoMode?: StereoMode;
  /** Decoding stops just past this, so a file whose header lies about its length cannot run on. */
  maxDurationMs: number;
  signal?: AbortSignal;
  tools?: MediaTools;
  timeoutMs?: number;
  /** Fraction of the input decoded so far, 0..1. */
  onProgress?: (fraction: number) => void;
}

/** Channels whose difference is this much quieter than the louder channel carry the same signal. */
const sameSignalMarginDb = 20;
/** A channel quieter than this throughout has nobody speaking on it. */
const silentChannelDb = -60;

const outputArguments = [
  "-c:a",
  "pcm_s16le",
  "-ar",
  String(normalisedSampleRate),
  "-ac",
  "1",
  // Bit-exact, metadata-free output keeps the header at 44 bytes and the files reproducible.
  "-fflags",
  "+bitexact",
  "-map_metadata",
  "-1",
  "-y",
];

export async function normaliseAudio(
  inputPath: string,
  options: NormaliseOptions,
): Promise<NormaliseResult> {
  const tools = options.tools ?? defaultMediaTools;
  const stereoMode = options.stereoMode ?? "auto";
  const split = options.probe.channels === 2 && stereoMode !== "mix";
  const stopAfterSeconds = String((options.maxDurationMs + 1_000) / 1000);

  const leftPath = join(options.outputDirectory, "left.wav");
  const rightPath = join(options.outputDirectory, "right.wav");
  const mixedPath = join(options.outputDirectory, "mixed.wav");

  const inputArguments = [
    "-nostdin",
    "-hide_banner",
    "-nostats",
    // "info" is needed for astats to print its measurements; everything else we read is on stdout.
    "-loglevel",
    "info",
    ...untrustedInputArguments(),
    "-t",
    stopAfterSeconds,
    "-i",
    inputPath,
  ];
  const graphArguments = split
    ? [
        "-filter_complex",
        [
          "[0:a:0]asplit=3[forleft][forright][formeasure]",
          "[forleft]pan=mono|c0=c0[left]",
          "[forright]pan=mono|c0=c1[right]",
          // Left, right and their difference, measured in the same decoding pass.
          // Plain astats: its measure_* options are ffmpeg >= 4.2, and the bundled static ffmpeg is 4.1.
          "[formeasure]pan=3.0|c0=c0|c1=c1|c2=c0-c1,astats,anullsink",
        ].join(";"),
        "-map",
        "[left]",
        ...outputArguments,
        leftPath,
        "-map",
        "[right]",
        ...outputArguments,
        rightPath,
      ]
    : [
        "-map",
        "0:a:0",
        "-vn",
        "-sn",
        "-dn",
        // The level tells the pipeline whether a short recording is silence, without another pass.
        "-af",
        "astats", // not measure_*=…: ffmpeg 4.1 (the bundled one) lacks those options
        ...outputArguments,
        mixedPath,
      ];

  const expectedMicroseconds = Math.max(1, options.probe.durationMs * 1000);
  let stderr: string;
  try {
    const result = await runProcess(
      tools.ffmpegPath,
      [...inputArguments, ...graphArguments, "-progress", "pipe:1"],
      {
        cwd: options.outputDirectory,
        timeoutMs: options.timeoutMs ?? Math.max(120_000, options.probe.durationMs),
        signal: options.signal,
        onStdout: (chunk) => {
          if (!options.onProgress) return;
          for (const match of chunk.matchAll(/out_time_us=(\d+)/g)) {
            options.onProgress(Math.min(1, Number(match[1]) / expectedMicroseconds));
          }
        },
      },
    );
    stderr = result.stderr;
  } catch (error) {
    throw (
      missingToolError(error, "ffmpeg") ??
      (error instanceof ProcessFailedError
        ? new UnprocessableError(
            "The audio could not be decoded.",
            { reason: "undecodable", tool: error.details.stderrTail },
            { cause: error },
          )
        : error)
    );
  }

  if (!split) {
    const durationMs = await writtenDurationMs(mixedPath);
    checkDecodedDuration(durationMs, options);
    return {
      tracks: [{ path: mixedPath, channel: "mixed", durationMs, rmsDb: parseOverallRmsDb(stderr) }],
      durationMs,
      layout: options.probe.channels === 1 ? "mono" : "mixed",
      channelLevelsDb: null,
    };
  }

  const [leftDurationMs, rightDurationMs] = await Promise.all([
    writtenDurationMs(leftPath),
    writtenDurationMs(rightPath),
  ]);
  const durationMs = Math.max(leftDurationMs, rightDurationMs);
  checkDecodedDuration(durationMs, options);
  const levels = parseChannelLevels(stderr);
  const left: NormalisedTrack = {
    path: leftPath,
    channel: "left",
    durationMs: leftDurationMs,
    rmsDb: levels?.left ?? null,
  };
  const right: NormalisedTrack = {
    path: rightPath,
    channel: "right",
    durationMs: rightDurationMs,
    rmsDb: levels?.right ?? null,
  };

  if (stereoMode === "auto" && levels) {
    const louder = Math.max(levels.left, levels.right);
    if (levels.difference < louder - sameSignalMarginDb) {
      // Both channels carry the same signal: one of them is the mono recording.
      return {
        tracks: [{ ...left, channel: "mixed" }],
        durationMs,
        layout: "dual-mono",
        channelLevelsDb: levels,
      };
    }
    const leftSilent = levels.left < silentChannelDb;
    const rightSilent = levels.right < silentChannelDb;
    if (leftSilent !== rightSilent) {
      return {
        tracks: [leftSilent ? right : left],
        durationMs,
        layout: "one-channel-silent",
        channelLevelsDb: levels,
      };
    }
  }
  return { tracks: [left, right], durationMs, layout: "split", channelLevelsDb: levels };
}

async function writtenDurationMs(path: string): Promise<number> {
  const header = await readWavHeader(path);
  if (!header)
    throw new UnprocessableError("The audio could not be decoded.", { reason: "undecodable" });
  return wavDurationMs(header, (await stat(path)).size);
}

function checkDecodedDuration(decodedMs: number, options: NormaliseOptions): void {
  if (decodedMs <= 0) {
    throw new UnprocessableError("The file contains no audio (zero length).", {
      reason: "zero_length",
    });
  }
  // The header may have understated the length; we stopped decoding just past the limit.
  assertWithinMaximumDuration(decodedMs, options.maxDurationMs);
  // Containers whose duration is written in the header (FLAC, MP4, WAV…) but whose data ends early
  // were cut short in transit. Formats that only estimate their duration (MP3, ADTS) are exempt.
  const statedMs = options.probe.durationMs;
  const exactDurationFormats = /^(flac|wav|w64|aiff|caf|wv|mov|ogg|matroska)/;
  if (
    !options.probe.durationMeasured &&
    exactDurationFormats.test(options.probe.formatName) &&
    decodedMs < statedMs - Math.max(2_000, statedMs * 0.05)
  ) {
    throw new UnprocessableError(
      `The file is truncated: it states ${formatDuration(statedMs)} of audio but only ${formatDuration(decodedMs)} could be decoded. Upload the complete file.`,
      { reason: "truncated", declaredMs: statedMs, presentMs: decodedMs },
    );
  }
}

/** Reads astats' per-channel "RMS level dB" lines (channels 1, 2 and their difference 3). */
export function parseChannelLevels(
  stderr: string,
): { left: number; right: number; difference: number } | null {
  const levels = new Map<number, number>();
  let channel = 0;
  for (const line of stderr.split("\n")) {
    const channelMatch = /\[Parsed_astats_\d+ @ [^\]]+\] (?:Channel: (\d+)|Overall)/.exec(line);
    if (channelMatch) {
      // The "Overall" block follows the channels when astats measures everything.
      channel = channelMatch[1] ? Number(channelMatch[1]) : 0;
      continue;
    }
    const levelMatch = /\[Parsed_astats_\d+ @ [^\]]+\] RMS level dB: (-?inf|-?[\d.]+)/.exec(line);
    if (levelMatch && channel > 0) {
      const text = levelMatch[1];
      levels.set(channel, text.endsWith("inf") ? -Infinity : Number(text));
    }
  }
  if (!levels.has(1) || !levels.has(2) || !levels.has(3)) return null;
  return { left: levels.get(1)!, right: levels.get(2)!, difference: levels.get(3)! };
}
