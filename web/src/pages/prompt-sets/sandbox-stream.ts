/**
 * The sandbox's streamed answer (`POST /api/prompt-sets/:set/versions/:version/try`): the model's
 * JSON as it is generated, then a newline, a record separator (U+001E) and one JSON line with
 * the validated draft or the error. This splits what has arrived so far into the two parts.
 */
import type { SandboxFinal } from "./types.ts";

export const recordSeparator = "\u001e";

export interface SandboxStream {
  /** The model's raw output so far. */
  streamed: string;
  /** The validated result, once the final line has arrived whole. */
  final: SandboxFinal | null;
  /** The final line arrived but is not the JSON the server promises. */
  malformed: boolean;
}

export function splitSandboxStream(text: string): SandboxStream {
  const index = text.lastIndexOf(recordSeparator);
  if (index === -1) return { streamed: text, final: null, malformed: false };
  // The server writes "\n" before the separator so the raw stream ends cleanly.
  const streamed = text.slice(0, index).replace(/\n$/, "");
  const tail = text.slice(index + 1).trim();
  if (tail === "") return { streamed, final: null, malformed: false };
  try {
    const parsed = JSON.parse(tail) as unknown;
    if (isFinal(parsed)) return { streamed, final: parsed, malformed: false };
  } catch {
    // Still arriving (the request has not ended) or broken: the caller decides by `isLoading`.
  }
  return { streamed, final: null, malformed: true };
}

function isFinal(value: unknown): value is SandboxFinal {
  if (value === null || typeof value !== "object") return false;
  if ("error" in value) return typeof (value as { error: unknown }).error === "string";
  return "content" in value && "provenance" in value;
}

/** Segment ordinal → intent id of a finished draft, to mark where two versions disagree. */
export function intentsBySegment(final: SandboxFinal | null): Map<number, string> | null {
  if (!final || "error" in final) return null;
  return new Map(final.content.intents.map((intent) => [intent.segment, intent.intent]));
}
