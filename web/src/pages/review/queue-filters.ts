/**
 * Queue filters in the address bar (`/review?kind=intent&order=newest`), so a filtered queue can
 * be bookmarked, shared and reloaded, and the session reads the same filters as the list.
 */
import type { ItemKind, QueueFilters, QueueOrder } from "./review-types.ts";
import { engines, itemKinds, outcomeFilters, queueOrders } from "./review-types.ts";

const textFilters = [
  "teamId",
  "customerStage",
  "intent",
  "promptSetVersion",
  "recordingId",
] as const;

function oneOf<Value extends string>(
  allowed: readonly Value[],
  value: string | null,
): Value | undefined {
  return allowed.find((candidate) => candidate === value);
}

/** Reads the filters from a query string; unknown values are dropped, not sent to the server. */
export function filtersFromSearch(search: string | URLSearchParams): QueueFilters {
  const params = typeof search === "string" ? new URLSearchParams(search) : search;
  const filters: QueueFilters = {};
  const order = oneOf<QueueOrder>(queueOrders, params.get("order"));
  if (order) filters.order = order;
  const kind = oneOf<ItemKind>(itemKinds, params.get("kind"));
  if (kind) filters.kind = kind;
  const engine = oneOf(engines, params.get("engine"));
  if (engine) filters.engine = engine;
  if (params.get("correctedByRep") === "true") filters.correctedByRep = "true";
  if (params.get("likelyNewIntent") === "true") filters.likelyNewIntent = "true";
  const outcome = oneOf(outcomeFilters, params.get("outcome"));
  if (outcome) filters.outcome = outcome;
  for (const name of textFilters) {
    const value = params.get(name)?.trim();
    if (value) filters[name] = value;
  }
  return filters;
}

export function searchFromFilters(filters: QueueFilters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters))
    if (typeof value === "string" && value !== "" && !(key === "order" && value === "balanced"))
      params.set(key, value);
  const search = params.toString();
  return search ? `?${search}` : "";
}
