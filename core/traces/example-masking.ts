/**
 * Few-shot examples are copied into a trace three times: in the retrieval span's output, inside the
 * rendered prompt, and inside the model call's request body. Masking an example (erasure, or a rep
 * looking at a trace whose examples came from another team) must replace every copy, so it works on
 * the texts themselves: every string in the trace has each of them replaced, also where it appears
 * JSON-escaped (a request body kept as a string).
 */

export const erasedExample = "(erased)";
export const otherTeamExample = "(example from another team)";

export interface ExampleItem {
  sourceKey?: string;
  text?: string;
  recordingId?: string | null;
  teamId?: string | null;
  [key: string]: unknown;
}

/** Replaces each of `texts` by `replacement` in every string inside `value` (a new value; the input is untouched). */
export function replaceTexts(value: unknown, texts: readonly string[], replacement: string): unknown {
  const needles = [...new Set(texts.filter((text) => text.trim().length > 0))]
    .flatMap((text) => {
      const escaped = JSON.stringify(text).slice(1, -1);
      return escaped === text ? [text] : [text, escaped];
    })
    // Longest first, so a text that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  if (needles.length === 0) return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") {
      let result = node;
      for (const needle of needles) if (result.includes(needle)) result = result.split(needle).join(replacement);
      return result;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === "object") return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item)]));
    return node;
  };
  return walk(value);
}

/** The examples of a retrieval span's output that match `predicate`. */
export function examplesWhere(output: unknown, predicate: (example: ExampleItem) => boolean): ExampleItem[] {
  if (!Array.isArray(output)) return [];
  return output.filter((item): item is ExampleItem => typeof item === "object" && item !== null && predicate(item as ExampleItem));
}
