/** Raw model text → a validated draft, or the list of problems to send back for a repair. */
import type { DraftContent, DraftInput } from "../schema.ts";
import { parseModelOutput } from "./model-output.ts";
import { reconcileDraft } from "./reconcile-draft.ts";

export type DraftOutputCheck =
  { ok: true; content: DraftContent } | { ok: false; issues: string[] };

export function validateDraftOutput(raw: string, input: DraftInput): DraftOutputCheck {
  const parsed = parseModelOutput(raw);
  if (!parsed.ok) return parsed;
  return { ok: true, content: reconcileDraft(parsed.value, input) };
}
