/**
 * How we call ffmpeg/ffprobe on untrusted uploads, in one place so every call is equally safe.
 *
 * An uploaded "audio" file can be an HLS playlist or a concat script that makes ffmpeg open other
 * local files or URLs. Restricting the protocols to local files and the demuxers to audio
 * containers closes that door; anything else is rejected as not audio, whatever its extension.
 */
import { ProcessFailedError } from "./run-process.ts";
import { CalibrateError } from "../errors.ts";
import { resolveMediaTools } from "./resolve-media-tools.ts";

export interface MediaTools {
  ffmpegPath: string;
  ffprobePath: string;
}

/** FFMPEG_PATH/FFPROBE_PATH, else the system's, else the npm-bundled binaries (resolve-media-tools.ts). */
export const defaultMediaTools: MediaTools = resolveMediaTools(process.env);

/** ffmpeg demuxer names for audio containers (plus MP4/MOV/WebM, which carry meeting recordings). */
export const allowedInputFormats = [
  "wav",
  "w64",
  "mp3",
  "flac",
  "ogg",
  "mov",
  "matroska",
  "aac",
  "amr",
  "aiff",
  "caf",
  "asf",
  "wv",
  "ac3",
  "eac3",
  "au",
] as const;

/** Arguments that must precede every `-i` of an untrusted file. */
export function untrustedInputArguments(): string[] {
  return ["-protocol_whitelist", "file", "-format_whitelist", allowedInputFormats.join(",")];
}

/** A missing ffmpeg is a broken installation, not bad input: fail loudly, do not retry. */
export function missingToolError(error: unknown, tool: string): CalibrateError | null {
  if (error instanceof ProcessFailedError && error.details.spawnErrorCode === "ENOENT") {
    return new CalibrateError(
      `${tool} was not found at ${error.details.command}. Install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg), ` +
        `reinstall the npm dependencies (npm ci brings a bundled copy), or set ${tool.toUpperCase()}_PATH.`,
      undefined,
      { cause: error },
    );
  }
  return null;
}

/** "95 min", "2 h", "2 h 30 min", "45 s" — for messages that name a limit. */
export function formatDuration(milliseconds: number): string {
  const totalSeconds = Math.round(milliseconds / 1000);
  if (totalSeconds < 60) {
    return milliseconds < 10_000 && milliseconds % 1000 !== 0
      ? `${(milliseconds / 1000).toFixed(2).replace(/0+$/, "").replace(/\.$/, "")} s`
      : `${totalSeconds} s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  if (totalMinutes < 120) return `${totalMinutes} min`;
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/**
 * The overall "RMS level dB" astats prints at the end (the last one: per-channel blocks come
 * first when it measures everything); -Infinity for digital silence.
 */
export function parseOverallRmsDb(stderr: string): number | null {
  const matches = [...stderr.matchAll(/\[Parsed_astats_\d+ @ [^\]]+\] RMS level dB: (-?inf|-?[\d.]+)/g)];
  const last = matches.at(-1);
  if (!last) return null;
  return last[1].endsWith("inf") ? -Infinity : Number(last[1]);
}
