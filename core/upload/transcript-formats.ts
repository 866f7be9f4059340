/**
 * Transcripts uploaded instead of audio: WebVTT (Zoom, Teams, Google Meet exports), SRT, plain
 * text with "Speaker: text" lines, and our JSON format. Every parser returns the same segments,
 * sorted by start time with end ≥ start; malformed input is rejected with an UnprocessableError
 * whose message names the line ("line 7: expected a timing line like 00:00:01.000 -->
 * 00:00:04.000"), so the user can fix the file instead of guessing.
 *
 * Imported text is not redacted here: pass it through redactSegments (core/transcribe/redact.ts)
 * like transcribed text.
 *
 * ── JSON transcript format ──────────────────────────────────────────────────────────────────────
 *
 *   {
 *     "language": "zh",                     // optional: ISO 639-1 code of the main language
 *     "segments": [                         // at least one
 *       {
 *         "start_ms": 0,                    // integer ≥ 0, milliseconds from the start of the call
 *         "end_ms": 4200,                   // integer ≥ start_ms
 *         "speaker": "agent",               // non-empty, at most 100 characters
 *         "text": "您好，我是小王。"          // what was said; may be empty only if you mean silence
 *       }
 *     ]
 *   }
 *
 * Segments may come in any order (they are sorted by start_ms, stably). Unknown fields are
 * ignored. Speaker names are kept as given ("agent"/"customer" match what audio transcription
 * produces for stereo calls).
 *
 * ── Plain text ──────────────────────────────────────────────────────────────────────────────────
 *
 *   [00:00:01] Agent: Hello, this is Wang from Calibrate.      (timestamp optional: [mm:ss] too)
 *   客户：你好。                                                (full-width colon works)
 *   a line without a speaker continues the previous turn
 *
 * Without timestamps every segment starts and ends at 0 and the order of the lines is kept.
 */
import { z } from "zod";
import { UnprocessableError } from "../errors.ts";

export type TranscriptFormat = "vtt" | "srt" | "text" | "json";

export interface ImportedSegment {
  startMs: number;
  endMs: number;
  speaker: string;
  text: string;
}

export interface ParsedTranscript {
  format: TranscriptFormat;
  /** Only the JSON format can state it. */
  language: string | null;
  segments: ImportedSegment[];
  /** False when the file had no timestamps at all (plain text without [mm:ss]). */
  timed: boolean;
}

export interface ParseTranscriptOptions {
  /** Default "auto": from the file name's extension, else from the content. */
  format?: TranscriptFormat | "auto";
  fileName?: string;
  /** For segments whose speaker the file does not name. Default "speaker_1". */
  defaultSpeaker?: string;
}

export const transcriptJsonSchema = z.object({
  language: z.string().trim().min(2).max(16).optional(),
  segments: z
    .array(
      z
        .object({
          start_ms: z.number().int().nonnegative(),
          end_ms: z.number().int().nonnegative(),
          speaker: z.string().trim().min(1).max(100),
          text: z.string(),
        })
        .refine((segment) => segment.end_ms >= segment.start_ms, {
          message: "end_ms must not be before start_ms",
          path: ["end_ms"],
        }),
    )
    .min(1, "at least one segment is required"),
});
export type TranscriptJson = z.infer<typeof transcriptJsonSchema>;

export function detectTranscriptFormat(
  fileName: string | null | undefined,
  content: string,
): TranscriptFormat {
  const extension = /\.([a-z0-9]+)$/i.exec(fileName ?? "")?.[1]?.toLowerCase();
  if (extension === "vtt" || extension === "webvtt") return "vtt";
  if (extension === "srt") return "srt";
  if (extension === "json") return "json";
  const start = stripByteOrderMark(content).trimStart();
  if (/^WEBVTT(?:[ \t]|\r?\n|$)/.test(start)) return "vtt";
  if (start.startsWith("{")) return "json";
  if (/^\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->/.test(start)) return "srt";
  return "text";
}

export function parseTranscript(
  content: string,
  options: ParseTranscriptOptions = {},
): ParsedTranscript {
  const format =
    !options.format || options.format === "auto"
      ? detectTranscriptFormat(options.fileName, content)
      : options.format;
  const defaultSpeaker = options.defaultSpeaker ?? "speaker_1";
  let language: string | null = null;
  let segments: ImportedSegment[];
  let timed = true;
  switch (format) {
    case "vtt":
      segments = parseWebVtt(content, defaultSpeaker);
      break;
    case "srt":
      segments = parseSrt(content, defaultSpeaker);
      break;
    case "json": {
      const parsed = parseJsonTranscript(content);
      language = parsed.language;
      segments = parsed.segments;
      break;
    }
    case "text": {
      const parsed = parsePlainText(content, defaultSpeaker);
      segments = parsed.segments;
      timed = parsed.timed;
      break;
    }
  }
  if (segments.length === 0) {
    throw new UnprocessableError(
      `The ${formatNames[format]} transcript contains no text.`,
      { reason: "empty_transcript" },
      { key: "import.no_text", params: { format: formatNames[format] } },
    );
  }
  return { format, language, segments: sortByStart(segments), timed };
}

const formatNames: Record<TranscriptFormat, string> = {
  vtt: "WebVTT",
  srt: "SRT",
  text: "plain-text",
  json: "JSON",
};

// ── shared helpers ────────────────────────────────────────────────────────────────────────────

function stripByteOrderMark(content: string): string {
  return content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
}

function linesOf(content: string): string[] {
  return stripByteOrderMark(content).split(/\r\n|\r|\n/);
}

function lineError(lineNumber: number, message: string): UnprocessableError {
  return new UnprocessableError(`line ${lineNumber}: ${message}`, { line: lineNumber }, { key: "import.line", params: { line: lineNumber, problem: message } });
}

const timestampPattern = String.raw`(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?`;

/** "01:02:03.456", "02:03.456", "01:02:03,456", "1:02:03"; null when the value is not a time. */
export function parseTimestamp(value: string): number | null {
  const match = new RegExp(`^${timestampPattern}$`).exec(value.trim());
  if (!match) return null;
  const [, hours, minutes, seconds, fraction] = match;
  if (Number(seconds) >= 60 || (hours !== undefined && Number(minutes) >= 60)) return null;
  const milliseconds = fraction ? Number(fraction.padEnd(3, "0")) : 0;
  return ((Number(hours ?? 0) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000 + milliseconds;
}

function parseTimingLine(
  line: string,
  lineNumber: number,
  example: string,
): { startMs: number; endMs: number } {
  const match = /^\s*(\S+)\s+-->\s+(\S+)(?:\s.*)?$/.exec(line);
  const startMs = match ? parseTimestamp(match[1]) : null;
  const endMs = match ? parseTimestamp(match[2]) : null;
  if (startMs === null || endMs === null) {
    throw lineError(lineNumber, `expected a timing line like ${example}`);
  }
  if (endMs < startMs) {
    throw lineError(lineNumber, `the cue ends (${match![2]}) before it starts (${match![1]})`);
  }
  return { startMs, endMs };
}

const cjk =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;

/** Chinese lines join without a space; anything else with one. */
function joinText(left: string, right: string): string {
  if (left === "") return right;
  if (right === "") return left;
  return cjk.test(left.at(-1)!) && cjk.test(right[0]) ? left + right : `${left} ${right}`;
}

const namedEntities: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  lrm: "",
  rlm: "",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] === "#") {
      const code =
        body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : Number(body.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff
        ? String.fromCodePoint(code)
        : entity;
    }
    return namedEntities[body.toLowerCase()] ?? entity;
  });
}

function cleanCueText(text: string): string {
  return decodeEntities(
    text
      .replace(/<[^>]*>/g, "") // <i>, <c.loud>, <00:00:01.000>, </v>
      .replace(/\{\\[^}]*\}/g, ""), // SRT/ASS positioning like {\an8}
  )
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * "Agent: hello", "客户：你好", "Speaker 1: hi". A label is short, has no sentence punctuation and is
 * not a time, so "Note: the price is 10:30" style prose keeps its colon.
 */
export function splitSpeakerLabel(line: string): { speaker: string; text: string } | null {
  const match = /^\s*([^:：]{1,40}?)\s*[:：]\s*(.*)$/s.exec(line);
  if (!match) return null;
  const label = match[1].trim();
  if (label === "" || /^[\d\s]+$/.test(label) || /^https?$/i.test(label)) return null;
  if (/[,.!?;，。！？；、"“”()（）[\]【】<>]/.test(label)) return null;
  if (label.split(/\s+/).length > 4) return null;
  return { speaker: label, text: match[2].trim() };
}

function sortByStart(segments: ImportedSegment[]): ImportedSegment[] {
  // Array.prototype.sort is stable: equal starts keep the file's order.
  return [...segments].sort((a, b) => a.startMs - b.startMs);
}

// ── WebVTT ────────────────────────────────────────────────────────────────────────────────────

const vttTimingExample = "00:00:01.000 --> 00:00:04.000";

export function parseWebVtt(content: string, defaultSpeaker = "speaker_1"): ImportedSegment[] {
  const lines = linesOf(content);
  if (!/^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? "")) {
    throw lineError(1, 'expected the "WEBVTT" header that starts every WebVTT file');
  }
  const segments: ImportedSegment[] = [];
  let index = 1;
  // The header block runs to the first blank line.
  while (index < lines.length && lines[index].trim() !== "") index += 1;

  while (index < lines.length) {
    if (lines[index].trim() === "") {
      index += 1;
      continue;
    }
    const first = lines[index];
    if (/^(NOTE|STYLE|REGION)(?:[ \t]|$)/.test(first)) {
      while (index < lines.length && lines[index].trim() !== "") index += 1;
      continue;
    }
    // An optional cue identifier precedes the timing line.
    const timingIndex = first.includes("-->") ? index : index + 1;
    if (timingIndex >= lines.length || !lines[timingIndex].includes("-->")) {
      throw lineError(
        Math.min(timingIndex, lines.length - 1) + 1,
        `expected a timing line like ${vttTimingExample}`,
      );
    }
    const { startMs, endMs } = parseTimingLine(
      lines[timingIndex],
      timingIndex + 1,
      vttTimingExample,
    );
    index = timingIndex + 1;
    const payload: string[] = [];
    while (index < lines.length && lines[index].trim() !== "") {
      if (lines[index].includes("-->")) {
        throw lineError(index + 1, "a timing line must be preceded by a blank line");
      }
      payload.push(lines[index]);
      index += 1;
    }
    const segment = vttCueSegment(payload, defaultSpeaker, { startMs, endMs });
    if (segment) segments.push(segment);
  }
  return segments;
}

function vttCueSegment(
  payload: string[],
  defaultSpeaker: string,
  timing: { startMs: number; endMs: number },
): ImportedSegment | null {
  const raw = payload.join("\n");
  // Teams and Meet: <v Jane Doe>text</v> (a class like <v.loud Jane> is allowed).
  const voice = /<v(?:\.[^\s>]+)*[ \t]+([^>]+)>/.exec(raw);
  let speaker = voice ? decodeEntities(voice[1]).trim() : null;
  let text = payload.map(cleanCueText).reduce(joinText, "");
  if (!speaker) {
    // Zoom: "Jane Doe: text".
    const labelled = splitSpeakerLabel(text);
    if (labelled) {
      speaker = labelled.speaker;
      text = labelled.text;
    }
  }
  if (text === "") return null;
  return { ...timing, speaker: speaker || defaultSpeaker, text };
}

// ── SRT ───────────────────────────────────────────────────────────────────────────────────────

const srtTimingExample = "00:00:01,000 --> 00:00:04,000";

export function parseSrt(content: string, defaultSpeaker = "speaker_1"): ImportedSegment[] {
  const lines = linesOf(content);
  const segments: ImportedSegment[] = [];
  let index = 0;
  while (index < lines.length) {
    if (lines[index].trim() === "") {
      index += 1;
      continue;
    }
    let timingIndex = index;
    if (/^\s*\d+\s*$/.test(lines[index])) {
      timingIndex = index + 1;
      if (timingIndex >= lines.length || !lines[timingIndex].includes("-->")) {
        throw lineError(
          Math.min(timingIndex, lines.length - 1) + 1,
          `expected a timing line like ${srtTimingExample}`,
        );
      }
    } else if (!lines[index].includes("-->")) {
      throw lineError(index + 1, `expected a cue number or a timing line like ${srtTimingExample}`);
    }
    const { startMs, endMs } = parseTimingLine(
      lines[timingIndex],
      timingIndex + 1,
      srtTimingExample,
    );
    index = timingIndex + 1;
    const textLines: string[] = [];
    while (index < lines.length && lines[index].trim() !== "") {
      textLines.push(lines[index]);
      index += 1;
    }
    let text = textLines.map(cleanCueText).reduce(joinText, "");
    let speaker = defaultSpeaker;
    const labelled = splitSpeakerLabel(text);
    if (labelled) {
      speaker = labelled.speaker;
      text = labelled.text;
    }
    if (text !== "") segments.push({ startMs, endMs, speaker, text });
  }
  return segments;
}

// ── plain text ────────────────────────────────────────────────────────────────────────────────

export function parsePlainText(
  content: string,
  defaultSpeaker = "speaker_1",
): { segments: ImportedSegment[]; timed: boolean } {
  const lines = linesOf(content);
  const turns: Array<{ startMs: number | null; speaker: string; text: string }> = [];
  let anyTimestamp = false;

  lines.forEach((rawLine, lineIndex) => {
    let line = rawLine.trim();
    if (line === "") return;
    let startMs: number | null = null;
    // "[00:01:02]" / "(01:02)" anywhere at the start; a bare "00:01:02 " only before a speaker label.
    const bracketed = /^[[(]([^\])]+)[\])]\s*/.exec(line);
    if (bracketed) {
      startMs = parseTimestamp(bracketed[1]);
      if (startMs === null) {
        if (/^\d/.test(bracketed[1].trim())) {
          throw lineError(
            lineIndex + 1,
            `"${bracketed[1]}" is not a timestamp like [00:01:02] or [01:02]`,
          );
        }
      } else {
        line = line.slice(bracketed[0].length);
      }
    } else {
      const bare = /^(\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\s+(?=\S[^:：]{0,40}[:：])/.exec(
        line,
      );
      if (bare && splitSpeakerLabel(line.slice(bare[0].length))) {
        startMs = parseTimestamp(bare[1]);
        if (startMs !== null) line = line.slice(bare[0].length);
      }
    }
    if (startMs !== null) anyTimestamp = true;

    const labelled = splitSpeakerLabel(line);
    const previous = turns.at(-1);
    if (labelled) {
      turns.push({ startMs, speaker: labelled.speaker, text: labelled.text });
    } else if (previous && startMs === null) {
      previous.text = joinText(previous.text, line);
    } else {
      turns.push({ startMs, speaker: previous?.speaker ?? defaultSpeaker, text: line });
    }
  });

  // Untimed turns sit where the last stated time was; each turn ends where a later one starts.
  let lastStart = 0;
  const started = turns.map((turn) => {
    lastStart = turn.startMs ?? lastStart;
    return { ...turn, startMs: lastStart };
  });
  const segments: ImportedSegment[] = [];
  started.forEach((turn, index) => {
    if (turn.text === "") return;
    const nextStart = started
      .slice(index + 1)
      .find((later) => later.startMs > turn.startMs)?.startMs;
    segments.push({
      startMs: turn.startMs,
      endMs: nextStart ?? turn.startMs,
      speaker: turn.speaker,
      text: turn.text,
    });
  });
  return { segments, timed: anyTimestamp };
}

// ── JSON ──────────────────────────────────────────────────────────────────────────────────────

export function parseJsonTranscript(content: string): {
  language: string | null;
  segments: ImportedSegment[];
} {
  const text = stripByteOrderMark(content);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw lineError(
      jsonErrorLine(text, message),
      `invalid JSON (${message.replace(/\s*\(line \d+ column \d+\)/, "")})`,
    );
  }
  const parsed = transcriptJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path
      .map((part, position) =>
        typeof part === "number" ? `[${part}]` : position === 0 ? String(part) : `.${String(part)}`,
      )
      .join("");
    const segmentIndex =
      issue.path[0] === "segments" && typeof issue.path[1] === "number" ? issue.path[1] : null;
    const lineNumber =
      segmentIndex === null ? 1 : locateArrayElementLine(text, "segments", segmentIndex);
    const problem = `${path || "transcript"}: ${issue.message}`;
    throw new UnprocessableError(
      `line ${lineNumber}: ${problem}`,
      { line: lineNumber, issues: parsed.error.issues },
      { key: "import.line", params: { line: lineNumber, problem } },
    );
  }
  return {
    language: parsed.data.language ?? null,
    segments: parsed.data.segments
      .map((segment) => ({
        startMs: segment.start_ms,
        endMs: segment.end_ms,
        speaker: segment.speaker,
        text: segment.text.trim(),
      }))
      .filter((segment) => segment.text !== ""),
  };
}

/** V8 names either "(line L column C)" or "at position P" in JSON syntax errors. */
function jsonErrorLine(text: string, message: string): number {
  const line = /line (\d+)/.exec(message);
  if (line) return Number(line[1]);
  const position = /position (\d+)/.exec(message);
  if (position) return lineAtOffset(text, Number(position[1]));
  return lineAtOffset(text, text.length);
}

function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < Math.min(offset, text.length); index += 1) {
    if (text.charCodeAt(index) === 10) line += 1;
  }
  return line;
}

/**
 * The line where element `index` of the top-level array `key` starts — JSON.parse keeps no
 * positions, so a small scanner that only tracks strings and nesting finds it.
 */
function locateArrayElementLine(text: string, key: string, index: number): number {
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastKey: string | null = null;
  let inTargetArray = false;
  let element = -1;
  let expectingElement = false;
  for (let offset = 0; offset < text.length; offset += 1) {
    const character = text[offset];
    if (inString) {
      if (character === "\\") offset += 1;
      else if (character === '"') {
        inString = false;
        if (depth === 1) lastKey = text.slice(stringStart + 1, offset);
      }
      continue;
    }
    if (expectingElement && !/\s/.test(character)) {
      expectingElement = false;
      element += 1;
      if (element === index) return lineAtOffset(text, offset);
    }
    if (character === '"') {
      inString = true;
      stringStart = offset;
    } else if (character === "{" || character === "[") {
      depth += 1;
      if (character === "[" && depth === 2 && lastKey === key) {
        inTargetArray = true;
        expectingElement = true;
      }
    } else if (character === "}" || character === "]") {
      if (depth === 2 && inTargetArray) inTargetArray = false;
      depth -= 1;
    } else if (character === "," && depth === 2 && inTargetArray) {
      expectingElement = true;
    }
  }
  return 1;
}
