/** The review endpoints, typed, on top of the shared API client. */
import { api } from "../../api/client.ts";
import type { SessionTransport } from "./review-session.ts";
import type {
  DashboardResponse,
  DecisionBody,
  DecisionResponse,
  DraftResponse,
  QueueFilters,
  QueuePage,
  ReviewItem,
  Vocabulary,
} from "./review-types.ts";

/** Leases last long enough for a slow item, and are renewed by every claim of the session. */
export const leaseSeconds = 600;

/** Only the filters that are set, as strings (for query strings and request bodies alike). */
export function presentFilters(filters: QueueFilters): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters))
    if (typeof value === "string" && value !== "") present[key] = value;
  return present;
}

export function queueQueryString(
  filters: QueueFilters,
  page: { limit?: number; offset?: number } = {},
): string {
  const search = new URLSearchParams(presentFilters(filters));
  if (page.limit !== undefined) search.set("limit", String(page.limit));
  if (page.offset !== undefined) search.set("offset", String(page.offset));
  return search.toString();
}

export function listQueue(
  filters: QueueFilters,
  page: { limit: number; offset: number },
  signal?: AbortSignal,
): Promise<QueuePage> {
  return api.get<QueuePage>(`/api/review/queue?${queueQueryString(filters, page)}`, signal);
}

export function loadDraft(recordingId: string, signal?: AbortSignal): Promise<DraftResponse> {
  return api.get<DraftResponse>(`/api/recordings/${recordingId}/draft`, signal);
}

let vocabulary: Promise<Vocabulary> | null = null;

/**
 * The workspace's intents and action catalogue. The API hands them out with a call's draft; they
 * are the workspace's, the same for every call, so the first answer serves the whole session.
 */
export function loadVocabulary(recordingId: string): Promise<Vocabulary> {
  if (!vocabulary) {
    vocabulary = loadDraft(recordingId).then(({ intents, actionCatalogue }) => ({
      intents,
      actionCatalogue,
    }));
    vocabulary.catch(() => {
      vocabulary = null;
    });
  }
  return vocabulary;
}

/** Seeds the cache from a draft already loaded (the call view has one). */
export function rememberVocabulary(value: Vocabulary): void {
  vocabulary = Promise.resolve(value);
}

export function loadDashboard(range: { from: string; to: string }): Promise<DashboardResponse> {
  const search = new URLSearchParams(range);
  return api.get<DashboardResponse>(`/api/review/dashboard?${search.toString()}`);
}

export const reviewTransport: SessionTransport = {
  decide: (itemId: string, body: DecisionBody) =>
    api.post<DecisionResponse>(`/api/review/items/${itemId}/decisions`, body),
  undo: (decisionId: string) =>
    api.post<DecisionResponse>(`/api/review/decisions/${decisionId}/undo`),
  async fetchItem(item: ReviewItem) {
    const { draft } = await loadDraft(item.recordingId);
    return draft?.items.find((candidate) => candidate.id === item.id) ?? null;
  },
  async claim(filters: QueueFilters, count: number) {
    const { items } = await api.post<{ items: ReviewItem[] }>("/api/review/claim", {
      ...presentFilters(filters),
      count,
      leaseSeconds,
    });
    return items;
  },
  async release(itemIds: string[]) {
    await api.post("/api/review/release", { itemIds });
  },
  async count(filters: QueueFilters) {
    return (await listQueue(filters, { limit: 1, offset: 0 })).total;
  },
};
