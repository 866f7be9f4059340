/** Addresses of the review screens, in one place for links and navigation. */
import type { QueueFilters } from "./review-types.ts";
import { searchFromFilters } from "./queue-filters.ts";

export const reviewPath = "/review";
export const sessionPath = "/review/session";
export const callPathPattern = "/review/calls/:recordingId";

export function queueHref(filters: QueueFilters): string {
  return `${reviewPath}${searchFromFilters(filters)}`;
}

export function sessionHref(filters: QueueFilters): string {
  return `${sessionPath}${searchFromFilters(filters)}`;
}

/** The call view, opened at an utterance (and with an item selected) when given. */
export function callHref(
  recordingId: string,
  at: { segment?: number | null; itemId?: string } = {},
): string {
  const search = new URLSearchParams();
  if (at.segment !== undefined && at.segment !== null) search.set("segment", String(at.segment));
  if (at.itemId) search.set("item", at.itemId);
  const query = search.toString();
  return `/review/calls/${recordingId}${query ? `?${query}` : ""}`;
}
