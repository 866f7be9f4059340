/**
 * The review session in progress, kept outside React so it survives a visit to the call view
 * (G opens the evidence; Back returns to the same item with the undo history intact). Starting
 * a session with other filters ends the previous one, giving its open items back to the queue.
 */
import { reviewTransport } from "./review-api.ts";
import { ReviewSession } from "./review-session.ts";
import type { QueueFilters } from "./review-types.ts";

let active: { key: string; session: ReviewSession } | null = null;

export function filtersKey(filters: QueueFilters): string {
  return JSON.stringify(
    Object.entries(filters)
      .filter(([, value]) => value !== undefined && value !== "")
      .sort(([first], [second]) => first.localeCompare(second)),
  );
}

export function activeSession(userId: string): ReviewSession | null {
  return active?.key.startsWith(`${userId} `) ? active.session : null;
}

/** The session for this trainer and filters: the one in progress when they match, else a new one. */
export function sessionFor(userId: string, filters: QueueFilters): ReviewSession {
  const key = `${userId} ${filtersKey(filters)}`;
  if (active?.key === key) return active.session;
  if (active) void active.session.stop();
  const session = new ReviewSession(reviewTransport, filters);
  active = { key, session };
  void session.start();
  return session;
}

export async function endSession(): Promise<void> {
  const ending = active;
  active = null;
  await ending?.session.stop();
}
