/**
 * The trainer's decisions on a set of draft items, optimistic: a decision shows at once and is
 * reconciled with the server's answer afterwards. Requests about one item run one after another
 * (a decision, then its undo), each naming the last revision the server confirmed, so a decision
 * someone else made first comes back as a conflict (409) and is shown, never overwritten.
 *
 * Plain TypeScript with an injected transport, so it is tested without a browser; React reads it
 * through `subscribe`/`getState` (useSyncExternalStore).
 */
import { ApiError } from "../../api/client.ts";
import { applyDecisionLocally } from "./item-content.ts";
import type {
  DecisionAction,
  DecisionBody,
  DecisionResponse,
  ItemStatus,
  ReviewItem,
} from "./review-types.ts";

export interface DecisionTransport {
  decide(itemId: string, body: DecisionBody): Promise<DecisionResponse>;
  undo(decisionId: string): Promise<DecisionResponse>;
  /** The item as the server has it now, or null when it is gone. */
  fetchItem(item: ReviewItem): Promise<ReviewItem | null>;
}

/** One of my decisions that still stands (undo removes it). */
export interface DecisionRecord {
  key: number;
  itemId: string;
  action: DecisionAction;
  /** What the item showed before, to go back to on undo or failure. */
  before: {
    status: ItemStatus;
    currentContent: Record<string, unknown> | null;
  };
}

/** Someone else decided first: their state, fetched for display, applies only on reload. */
export interface Conflict {
  itemId: string;
  message: string;
  current: ReviewItem | null;
}

export interface Failure {
  key: number;
  itemId: string | null;
  error: unknown;
}

export interface LedgerState {
  items: ReadonlyMap<string, ReviewItem>;
  history: readonly DecisionRecord[];
  conflicts: readonly Conflict[];
  failures: readonly Failure[];
  /** Requests not answered yet. */
  saving: number;
}

interface RecordOutcome {
  state: "pending" | "saved" | "failed";
  decisionId: string | null;
}

export class DecisionLedger {
  private state: LedgerState = {
    items: new Map(),
    history: [],
    conflicts: [],
    failures: [],
    saving: 0,
  };
  private readonly listeners = new Set<() => void>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly confirmedRevision = new Map<string, number>();
  private readonly outcomes = new Map<number, RecordOutcome>();
  private nextKey = 1;

  constructor(private readonly transport: DecisionTransport) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): LedgerState => this.state;

  private update(change: Partial<LedgerState>): void {
    this.state = { ...this.state, ...change };
    for (const listener of this.listeners) listener();
  }

  private setItem(item: ReviewItem): void {
    const items = new Map(this.state.items);
    items.set(item.id, item);
    this.update({ items });
  }

  /** Adds items from the server; ones already known keep what this browser shows of them. */
  addItems(incoming: readonly ReviewItem[]): ReviewItem[] {
    const added = incoming.filter((item) => !this.state.items.has(item.id));
    if (added.length === 0) return [];
    const items = new Map(this.state.items);
    for (const item of added) {
      items.set(item.id, item);
      this.confirmedRevision.set(item.id, item.revision);
    }
    this.update({ items });
    return added;
  }

  /** Replaces every item with the server's (a fresh load), keeping nothing optimistic. */
  replaceItems(incoming: readonly ReviewItem[]): void {
    this.confirmedRevision.clear();
    for (const item of incoming) this.confirmedRevision.set(item.id, item.revision);
    this.update({
      items: new Map(incoming.map((item) => [item.id, item])),
      conflicts: this.state.conflicts.filter((conflict) =>
        incoming.some((item) => item.id === conflict.itemId),
      ),
    });
  }

  conflictFor(itemId: string): Conflict | undefined {
    return this.state.conflicts.find((conflict) => conflict.itemId === itemId);
  }

  /** Whether I have a decision on this item that still stands. */
  decidedByMe(itemId: string): boolean {
    return this.state.history.some((record) => record.itemId === itemId);
  }

  /**
   * Decides now (the item shows the decision at once) and saves in the background. Refused (false)
   * for an unknown item and for one in conflict, which must be reloaded first.
   */
  decide(
    itemId: string,
    action: DecisionAction,
    after: Record<string, unknown> | undefined,
    shownAt: Date,
  ): boolean {
    const item = this.state.items.get(itemId);
    if (!item || this.conflictFor(itemId)) return false;
    const record: DecisionRecord = {
      key: this.nextKey++,
      itemId,
      action,
      before: { status: item.status, currentContent: item.currentContent },
    };
    const outcome: RecordOutcome = { state: "pending", decisionId: null };
    this.outcomes.set(record.key, outcome);
    const items = new Map(this.state.items);
    items.set(itemId, applyDecisionLocally(item, action, after));
    this.update({ items, history: [...this.state.history, record] });

    this.enqueue(itemId, async () => {
      try {
        const response = await this.transport.decide(itemId, {
          action,
          after,
          revision: this.confirmedRevision.get(itemId) ?? item.revision,
          shownAt: shownAt.toISOString(),
        });
        outcome.state = "saved";
        outcome.decisionId = response.decisionId;
        this.confirmedRevision.set(itemId, response.item.revision);
        if (this.isLatestRecord(record)) this.setItem(response.item);
      } catch (error) {
        outcome.state = "failed";
        const wasLatest = this.isLatestRecord(record);
        this.update({
          history: this.state.history.filter((entry) => entry.key !== record.key),
        });
        if (wasLatest) this.revert(itemId, record.before);
        if (error instanceof ApiError && error.status === 409) {
          await this.recordConflict(item, error.message);
        } else {
          this.addFailure(itemId, error);
        }
      }
    });
    return true;
  }

  /**
   * Takes back my latest decision: the item shows its earlier state at once, and the server is
   * told once the decision itself has been saved. Returns the item's id, or null with nothing to undo.
   */
  undo(): string | null {
    const record = this.state.history.at(-1);
    if (!record) return null;
    this.update({ history: this.state.history.slice(0, -1) });
    this.revert(record.itemId, record.before);
    this.enqueue(record.itemId, async () => {
      const outcome = this.outcomes.get(record.key);
      if (!outcome || outcome.state !== "saved" || !outcome.decisionId) return;
      try {
        const response = await this.transport.undo(outcome.decisionId);
        this.confirmedRevision.set(record.itemId, response.item.revision);
        if (!this.decidedByMe(record.itemId)) this.setItem(response.item);
      } catch (error) {
        this.addFailure(record.itemId, error);
        await this.refresh(record.itemId);
      }
    });
    return record.itemId;
  }

  /** Takes the server's current state of an item (after a conflict, or to be sure). */
  async reload(itemId: string): Promise<void> {
    const conflict = this.conflictFor(itemId);
    if (conflict?.current) {
      this.confirmedRevision.set(itemId, conflict.current.revision);
      this.setItem(conflict.current);
      this.dropConflict(itemId);
      return;
    }
    await this.refresh(itemId);
    this.dropConflict(itemId);
  }

  dismissFailure(key: number): void {
    this.update({
      failures: this.state.failures.filter((failure) => failure.key !== key),
    });
  }

  /** Resolves once every request sent so far has been answered. */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private async refresh(itemId: string): Promise<void> {
    const item = this.state.items.get(itemId);
    if (!item) return;
    try {
      const fresh = await this.transport.fetchItem(item);
      if (!fresh) return;
      this.confirmedRevision.set(itemId, fresh.revision);
      if (!this.decidedByMe(itemId)) this.setItem(fresh);
    } catch (error) {
      this.addFailure(itemId, error);
    }
  }

  private async recordConflict(item: ReviewItem, message: string): Promise<void> {
    this.update({
      conflicts: [
        ...this.state.conflicts.filter((conflict) => conflict.itemId !== item.id),
        { itemId: item.id, message, current: null },
      ],
    });
    // Fetched for display only: the trainer sees the other decision and chooses to reload.
    const current = await this.transport.fetchItem(item).catch(() => null);
    if (!current) return;
    this.update({
      conflicts: this.state.conflicts.map((conflict) =>
        conflict.itemId === item.id ? { ...conflict, current } : conflict,
      ),
    });
  }

  private dropConflict(itemId: string): void {
    if (!this.conflictFor(itemId)) return;
    this.update({
      conflicts: this.state.conflicts.filter((conflict) => conflict.itemId !== itemId),
    });
  }

  private addFailure(itemId: string | null, error: unknown): void {
    this.update({
      failures: [...this.state.failures, { key: this.nextKey++, itemId, error }],
    });
  }

  private isLatestRecord(record: DecisionRecord): boolean {
    const latest = this.state.history.findLast((entry) => entry.itemId === record.itemId);
    return latest?.key === record.key;
  }

  private revert(itemId: string, before: DecisionRecord["before"]): void {
    const item = this.state.items.get(itemId);
    if (item) this.setItem({ ...item, ...before });
  }

  /** Runs `task` after every earlier request about the same item. */
  private enqueue(itemId: string, task: () => Promise<void>): void {
    const previous = this.chains.get(itemId) ?? Promise.resolve();
    this.update({ saving: this.state.saving + 1 });
    const next = previous
      .then(task)
      .catch(() => undefined)
      .finally(() => {
        if (this.chains.get(itemId) === next) this.chains.delete(itemId);
        this.update({ saving: this.state.saving - 1 });
      });
    this.chains.set(itemId, next);
  }
}
