/**
 * Prompt-set shapes as the browser receives them (JSON: dates are strings), derived from the
 * server's types with `import type` so the two cannot drift apart silently.
 */
import type { StoredPromptSetVersion } from "../../../../core/draft/prompt-set-store.ts";
import type { PromptSetFileDiff } from "../../../../core/draft/prompt-sets.ts";
import type { DraftContent, DraftProvenance } from "../../../../core/draft/schema.ts";

export type PromptSetVersion = Omit<StoredPromptSetVersion, "createdAt"> & {
  createdAt: string;
};

export interface PromptSet {
  set: string;
  /** Newest first. */
  versions: PromptSetVersion[];
}

export type FileDiff = PromptSetFileDiff;

export interface LabelEvent {
  label: string;
  fromVersion: string | null;
  toVersion: string;
  movedBy: string | null;
  movedAt: string;
}

export type SandboxFinal =
  { content: DraftContent; provenance: DraftProvenance } | { error: string };

/** The label drafting uses, and the one publishing moves. */
export const productionLabel = "production";
export const stagingLabel = "staging";

export function versionWithLabel(set: PromptSet, label: string): PromptSetVersion | null {
  return set.versions.find((version) => version.labels.includes(label)) ?? null;
}

/** The newest version that is not in production: what a trainer most likely wants to try. */
export function latestCandidate(set: PromptSet): PromptSetVersion | null {
  return set.versions.find((version) => !version.labels.includes(productionLabel)) ?? null;
}
