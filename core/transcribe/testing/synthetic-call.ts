/**
 * Real, generated speech for tests and benchmarks: espeak-ng speaks each line of a script with a
 * different voice per party, sox lays the lines out on the left (agent) and right (customer)
 * channels of a stereo WAV — like a call recorder does — and we return when each line starts and
 * ends, so tests can check timestamps against the truth. Needs `espeak-ng` and `sox` installed.
 *
 * Not used by the application; it lives beside the pipeline because both the tests and
 * bench/transcribe-pipeline.ts need it.
 */
import { execFile } from "node:child_process";
import { stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { readWavHeader } from "../wav-header.ts";

const run = promisify(execFile);

export interface ScriptLine {
  channel: "left" | "right";
  text: string;
}

export interface PlacedLine extends ScriptLine {
  startMs: number;
  endMs: number;
}

export interface GeneratedCall {
  path: string;
  durationMs: number;
  sampleRate: number;
  lines: PlacedLine[];
}

export const defaultVoices = { left: "en-us", right: "en-gb+f3" };

/** Speaks `text` into a mono WAV with leading/trailing silence trimmed; returns its sample count. */
export async function speak(
  text: string,
  path: string,
  options: { voice?: string; wordsPerMinute?: number } = {},
): Promise<{ path: string; samples: number; sampleRate: number }> {
  const raw = `${path}.raw.wav`;
  await run("espeak-ng", [
    "-v",
    options.voice ?? defaultVoices.left,
    "-s",
    String(options.wordsPerMinute ?? 165),
    "-w",
    raw,
    text,
  ]);
  // Trim so the line's audible start and end are exactly where we place it.
  await run("sox", [
    raw,
    path,
    "silence",
    "1",
    "0.01",
    "0.5%",
    "reverse",
    "silence",
    "1",
    "0.01",
    "0.5%",
    "reverse",
  ]);
  const { samples, sampleRate } = await sampleCount(path);
  return { path, samples, sampleRate };
}

async function sampleCount(path: string): Promise<{ samples: number; sampleRate: number }> {
  const header = await readWavHeader(path);
  if (!header) throw new Error(`not a WAV file: ${path}`);
  const bytes = (await stat(path)).size - header.dataOffset;
  return { samples: Math.floor(bytes / header.blockAlign), sampleRate: header.sampleRate };
}

/** Writes `samples` of digital silence as 16-bit mono PCM WAV (no process needed for zeros). */
async function silence(path: string, samples: number, sampleRate: number): Promise<number> {
  const dataBytes = samples * 2;
  const file = Buffer.alloc(44 + dataBytes);
  file.write("RIFF", 0, "ascii");
  file.writeUInt32LE(36 + dataBytes, 4);
  file.write("WAVEfmt ", 8, "ascii");
  file.writeUInt32LE(16, 16);
  file.writeUInt16LE(1, 20); // PCM
  file.writeUInt16LE(1, 22); // mono
  file.writeUInt32LE(sampleRate, 24);
  file.writeUInt32LE(sampleRate * 2, 28);
  file.writeUInt16LE(2, 32);
  file.writeUInt16LE(16, 34);
  file.write("data", 36, "ascii");
  file.writeUInt32LE(dataBytes, 40);
  await writeFile(path, file);
  return samples;
}

/**
 * Lays the script out in order, one line after another with `gapMs` between lines, each line on
 * its party's channel and silence on the other.
 */
export async function generateStereoCall(
  directory: string,
  script: readonly ScriptLine[],
  options: {
    gapMs?: number;
    leadingSilenceMs?: number;
    voices?: { left: string; right: string };
    name?: string;
  } = {},
): Promise<GeneratedCall> {
  const voices = options.voices ?? defaultVoices;
  const name = options.name ?? "call";
  const spoken = await Promise.all(
    script.map((line, index) =>
      speak(line.text, join(directory, `${name}-line-${index}.wav`), {
        voice: voices[line.channel],
      }),
    ),
  );
  const sampleRate = spoken[0]?.sampleRate ?? 22_050;
  const gapSamples = Math.round(((options.gapMs ?? 600) / 1000) * sampleRate);
  const leadingSamples = Math.round(((options.leadingSilenceMs ?? 500) / 1000) * sampleRate);

  const leftParts: string[] = [];
  const rightParts: string[] = [];
  const lines: PlacedLine[] = [];
  let cursor = 0;
  const addSilence = async (samples: number, label: string) => {
    if (samples <= 0) return;
    const path = join(directory, `${name}-silence-${label}.wav`);
    const written = await silence(path, samples, sampleRate);
    leftParts.push(path);
    rightParts.push(path);
    cursor += written;
  };
  await addSilence(leadingSamples, "leading");
  for (const [index, line] of script.entries()) {
    const audio = spoken[index];
    const quiet = join(directory, `${name}-quiet-${index}.wav`);
    await silence(quiet, audio.samples, sampleRate);
    (line.channel === "left" ? leftParts : rightParts).push(audio.path);
    (line.channel === "left" ? rightParts : leftParts).push(quiet);
    lines.push({
      ...line,
      startMs: Math.round((cursor / sampleRate) * 1000),
      endMs: Math.round(((cursor + audio.samples) / sampleRate) * 1000),
    });
    cursor += audio.samples;
    await addSilence(gapSamples, `gap-${index}`);
  }

  const leftPath = join(directory, `${name}-left.wav`);
  const rightPath = join(directory, `${name}-right.wav`);
  const path = join(directory, `${name}.wav`);
  await run("sox", [...leftParts, leftPath]);
  await run("sox", [...rightParts, rightPath]);
  await run("sox", ["-M", leftPath, rightPath, path]);
  return { path, durationMs: Math.round((cursor / sampleRate) * 1000), sampleRate, lines };
}

/** The same call played `times` times back to back (for long-recording tests and benchmarks). */
export async function repeatCall(
  call: GeneratedCall,
  times: number,
  path: string,
): Promise<GeneratedCall> {
  // sox would truncate its own input.
  if (resolve(path) === resolve(call.path)) throw new Error("repeatCall needs a new output path");
  await run("sox", [call.path, path, "repeat", String(times - 1)]);
  const { samples, sampleRate } = await sampleCount(path);
  const periodMs = ((samples / sampleRate) * 1000) / times;
  const lines: PlacedLine[] = [];
  for (let repetition = 0; repetition < times; repetition += 1) {
    for (const line of call.lines) {
      lines.push({
        ...line,
        startMs: Math.round(line.startMs + repetition * periodMs),
        endMs: Math.round(line.endMs + repetition * periodMs),
      });
    }
  }
  return { path, durationMs: Math.round((samples / sampleRate) * 1000), sampleRate, lines };
}

/** RMS amplitude (0..1) of one channel as sox measures it, for comparing files. */
export async function soxRmsAmplitude(
  path: string,
  channel?: 1 | 2,
): Promise<{ rms: number; seconds: number }> {
  const remix = channel ? ["remix", String(channel)] : [];
  const { stderr } = await run("sox", [path, "-n", ...remix, "stat"]);
  const rms = /RMS\s+amplitude:\s+([\d.]+)/.exec(stderr);
  const seconds = /Length \(seconds\):\s+([\d.]+)/.exec(stderr);
  if (!rms || !seconds) throw new Error(`unexpected sox stat output: ${stderr}`);
  return { rms: Number(rms[1]), seconds: Number(seconds[1]) };
}
