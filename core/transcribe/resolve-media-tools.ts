/**
 * Which ffmpeg and ffprobe to run, so an audio upload works on a machine with nothing but Node.
 *
 * Order, for each tool on its own: the `FFMPEG_PATH` / `FFPROBE_PATH` variable; else the system's
 * binary on PATH (kept up to date by the OS, usually the newest); else the static Linux/macOS/
 * Windows builds that the `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe` npm packages
 * install for the platform. Those are johnvansickle.com static builds — ffmpeg from 2018 (4.x),
 * ffprobe from 2023 — old, but they decode every format we accept (mp3, m4a/AAC, opus, wav, flac;
 * resolve-media-tools.test.ts runs probe + normalise through them with PATH stripped of ffmpeg).
 */
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import type { MediaTools } from "./media-tools.ts";

export type MediaTool = "ffmpeg" | "ffprobe";
export type MediaToolSource = "env" | "system" | "bundled" | "missing";

export interface ResolvedMediaTool {
  source: MediaToolSource;
  /** What is run; for `missing`, the bare name (spawning it fails with ENOENT, reported clearly). */
  path: string;
}

export interface MediaToolsEnvironment {
  FFMPEG_PATH?: string;
  FFPROBE_PATH?: string;
  PATH?: string;
}

const variableOf: Record<MediaTool, "FFMPEG_PATH" | "FFPROBE_PATH"> = {
  ffmpeg: "FFMPEG_PATH",
  ffprobe: "FFPROBE_PATH",
};
const packageOf: Record<MediaTool, string> = {
  ffmpeg: "@ffmpeg-installer/ffmpeg",
  ffprobe: "@ffprobe-installer/ffprobe",
};

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` in the directories of `searchPath` (a PATH value). */
export function onPath(name: string, searchPath: string | undefined): string | null {
  const executable = process.platform === "win32" ? `${name}.exe` : name;
  for (const directory of (searchPath ?? "").split(delimiter)) {
    if (directory === "") continue;
    const candidate = join(directory, executable);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** The binary the npm package installed for this platform, if it is there and executable. */
export function bundledMediaToolPath(tool: MediaTool): string | null {
  try {
    // The packages throw (a string, for ffmpeg-installer) when the platform binary is absent.
    const resolved = createRequire(import.meta.url)(packageOf[tool]) as { path?: unknown };
    return typeof resolved.path === "string" && isExecutable(resolved.path) ? resolved.path : null;
  } catch {
    return null;
  }
}

export function resolveMediaTool(tool: MediaTool, environment: MediaToolsEnvironment): ResolvedMediaTool {
  const configured = environment[variableOf[tool]]?.trim();
  if (configured) return { source: "env", path: configured };
  const system = onPath(tool, environment.PATH);
  if (system) return { source: "system", path: system };
  const bundled = bundledMediaToolPath(tool);
  if (bundled) return { source: "bundled", path: bundled };
  return { source: "missing", path: tool };
}

export interface ResolvedMediaTools extends MediaTools {
  ffmpeg: ResolvedMediaTool;
  ffprobe: ResolvedMediaTool;
}

export function resolveMediaTools(environment: MediaToolsEnvironment): ResolvedMediaTools {
  const ffmpeg = resolveMediaTool("ffmpeg", environment);
  const ffprobe = resolveMediaTool("ffprobe", environment);
  return { ffmpegPath: ffmpeg.path, ffprobePath: ffprobe.path, ffmpeg, ffprobe };
}

let cachedTools: { key: string; tools: ResolvedMediaTools } | null = null;

/** resolveMediaTools for the environment, looked up once per process, not per upload or job. */
export function resolveMediaToolsOnce(environment: MediaToolsEnvironment): ResolvedMediaTools {
  const key = `${environment.FFMPEG_PATH ?? ""}\n${environment.FFPROBE_PATH ?? ""}\n${environment.PATH ?? ""}`;
  if (cachedTools?.key !== key) cachedTools = { key, tools: resolveMediaTools(environment) };
  return cachedTools.tools;
}

export interface MediaToolDescription extends ResolvedMediaTool {
  /** "5.1.9-0+deb12u1", "N-47683-g0e8eb07980-static"; null when it could not be run. */
  version: string | null;
  error?: string;
}

/** `ffmpeg version 5.1.9-0+deb12u1 Copyright …` → "5.1.9-0+deb12u1". */
export function parseMediaToolVersion(output: string): string | null {
  return /^ff(?:mpeg|probe) version (\S+)/m.exec(output)?.[1] ?? null;
}

function versionOf(tool: ResolvedMediaTool): Promise<MediaToolDescription> {
  return new Promise((resolve) => {
    execFile(tool.path, ["-version"], { timeout: 10_000, windowsHide: true }, (error, stdout) => {
      if (error) {
        resolve({ ...tool, version: null, error: error.message.split("\n")[0] });
        return;
      }
      resolve({ ...tool, version: parseMediaToolVersion(stdout) });
    });
  });
}

/** For /healthz and the start-up log: which binaries are in use, where from, which version. */
export async function describeMediaTools(
  tools: ResolvedMediaTools,
): Promise<{ ffmpeg: MediaToolDescription; ffprobe: MediaToolDescription }> {
  const [ffmpeg, ffprobe] = await Promise.all([versionOf(tools.ffmpeg), versionOf(tools.ffprobe)]);
  return { ffmpeg, ffprobe };
}

let cachedDescription: { key: string; description: ReturnType<typeof describeMediaTools> } | null = null;

/** describeMediaTools for the environment, run once per process (the binaries do not change under us). */
export function describeMediaToolsOnce(environment: MediaToolsEnvironment): ReturnType<typeof describeMediaTools> {
  const tools = resolveMediaToolsOnce(environment);
  const key = `${tools.ffmpegPath}\n${tools.ffprobePath}`;
  if (cachedDescription?.key !== key) cachedDescription = { key, description: describeMediaTools(tools) };
  return cachedDescription.description;
}

/** The tools for the parsed configuration (FFMPEG_PATH / FFPROBE_PATH) and this process's PATH. */
export function mediaToolsEnvironment(config: { FFMPEG_PATH?: string; FFPROBE_PATH?: string }): MediaToolsEnvironment {
  return { FFMPEG_PATH: config.FFMPEG_PATH, FFPROBE_PATH: config.FFPROBE_PATH, PATH: process.env.PATH };
}
