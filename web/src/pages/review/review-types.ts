/**
 * The review API's shapes as the browser sees them (JSON: dates are ISO strings). Derived from the
 * server's own types with `import type`, which costs nothing in the bundle and makes the type check
 * fail when the two drift apart.
 */
import type { ActionType, IntentDefinition } from "../../../../core/draft/schema.ts";
import type { TrainerFigures } from "../../../../core/review/dashboard.ts";
import type { DecisionRequest } from "../../../../core/review/decisions.ts";
import type {
  ItemKind,
  ItemStatus,
  ReviewItem as ServerReviewItem,
} from "../../../../core/review/items.ts";
import type { QueueFilters as ServerQueueFilters } from "../../../../core/review/queue.ts";

export type { ActionType, IntentDefinition, ItemKind, ItemStatus, TrainerFigures };

export type ReviewItem = Omit<ServerReviewItem, "createdAt"> & {
  createdAt: string;
  /** Set by the queue: an intent item under the workspace's new-intent threshold. */
  likelyNewIntent?: boolean;
};

export type DecisionAction = DecisionRequest["action"];

/** What `POST /api/review/items/:id/decisions` takes. */
export interface DecisionBody {
  action: DecisionAction;
  after?: Record<string, unknown>;
  revision: number;
  /** ISO time the item was shown to the person deciding. */
  shownAt: string;
}

/** The answer to a decision and to an undo. */
export interface DecisionResponse {
  item: ReviewItem;
  decisionId: string;
  independent: boolean;
}

export type QueueOrder = ServerQueueFilters["order"];
export const queueOrders: readonly QueueOrder[] = ["balanced", "uncertainty", "newest", "oldest"];
export const itemKinds: readonly ItemKind[] = ["intent", "action_item", "talk_track"];
export const engines = ["local", "llm"] as const;
/** What happened to the customer after the call (core/outcomes/training-signal.ts). */
export const outcomeFilters = ["advanced", "not_advanced", "won", "lost", "replied", "meeting_booked", "any", "none"] as const;

/** Queue filters as the client keeps them: every one optional, order defaulting to balanced (the server's default). */
export interface QueueFilters {
  order?: QueueOrder;
  kind?: ItemKind;
  teamId?: string;
  customerStage?: string;
  intent?: string;
  engine?: (typeof engines)[number];
  promptSetVersion?: string;
  recordingId?: string;
  /** "true": only items a rep decided (or added) that no trainer has reviewed since. */
  correctedByRep?: "true";
  outcome?: (typeof outcomeFilters)[number];
  /** "true": only intent items that may belong to an intent the taxonomy lacks. */
  likelyNewIntent?: "true";
}

export interface QueuePage {
  items: ReviewItem[];
  total: number;
  newIntentThreshold: number;
}

/** `GET /api/recordings/:id/draft`. */
export interface DraftResponse {
  draft: {
    id: string;
    engine: "llm" | "local";
    model: string;
    promptSetVersion: string | null;
    inputTokens: number;
    outputTokens: number;
    latencyMs: number;
    estimatedCostUsd: number;
    notes: string[];
    items: ReviewItem[];
  } | null;
  intents: IntentDefinition[];
  actionCatalogue: ActionType[];
}

/** The workspace's intent taxonomy and sales-action catalogue. */
export interface Vocabulary {
  intents: IntentDefinition[];
  actionCatalogue: ActionType[];
}

export interface DashboardResponse {
  trainers: TrainerFigures[];
  daily: Array<{ day: string; userId: string; decisions: number }>;
}
