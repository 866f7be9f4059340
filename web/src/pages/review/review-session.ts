/**
 * A review session: a batch of queue items leased to this trainer, walked through one at a time.
 * Deciding moves on to the next open item at once (the save happens behind, in the ledger), and
 * the next batch is claimed while a few open items are still ahead, so the trainer never waits
 * for the server between items. Plain TypeScript with an injected transport (tested without a
 * browser); React reads it through `subscribe`/`getState`.
 */
import type { DecisionTransport, LedgerState } from "./decision-ledger.ts";
import { DecisionLedger } from "./decision-ledger.ts";
import type { DecisionAction, QueueFilters, ReviewItem } from "./review-types.ts";

export interface SessionTransport extends DecisionTransport {
  claim(filters: QueueFilters, count: number): Promise<ReviewItem[]>;
  release(itemIds: string[]): Promise<void>;
  /** How many items the queue still holds for these filters. */
  count(filters: QueueFilters): Promise<number>;
}

export interface SessionOptions {
  /** Items per claim. */
  batchSize?: number;
  /** Claim more when fewer open items than this are ahead. */
  prefetchBelow?: number;
}

/** The most items one claim may ask for (the API's limit). */
const maximumClaim = 50;

export interface SessionState {
  ledger: LedgerState;
  /** The session's items in the order they are walked through. */
  order: readonly string[];
  /** Position in `order`; `order.length` means past the last item. */
  index: number;
  /** Items that left this trainer's queue (decided by someone else, seen on reload). */
  closed: ReadonlySet<string>;
  /** A claim is in flight. */
  claiming: boolean;
  /** The last claim found nothing new: the queue is empty for these filters. */
  exhausted: boolean;
  /** The first claim has been answered. */
  started: boolean;
  remaining: number | null;
  error: unknown;
}

export class ReviewSession {
  readonly ledger: DecisionLedger;
  private readonly batchSize: number;
  private readonly prefetchBelow: number;
  private state: SessionState;
  private readonly listeners = new Set<() => void>();
  private readonly shownAt = new Map<string, Date>();
  private stopped = false;

  constructor(
    private readonly transport: SessionTransport,
    readonly filters: QueueFilters,
    options: SessionOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 25;
    this.prefetchBelow = options.prefetchBelow ?? 8;
    this.ledger = new DecisionLedger(transport);
    this.state = {
      ledger: this.ledger.getState(),
      order: [],
      index: 0,
      closed: new Set(),
      claiming: false,
      exhausted: false,
      started: false,
      remaining: null,
      error: null,
    };
    this.ledger.subscribe(() => this.update({ ledger: this.ledger.getState() }));
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): SessionState => this.state;

  private update(change: Partial<SessionState>): void {
    this.state = { ...this.state, ...change };
    for (const listener of this.listeners) listener();
  }

  current(): ReviewItem | null {
    const id = this.state.order[this.state.index];
    return id === undefined ? null : (this.state.ledger.items.get(id) ?? null);
  }

  /** Open: still waiting for this trainer's decision. */
  isOpen(itemId: string): boolean {
    return !this.state.closed.has(itemId) && !this.ledger.decidedByMe(itemId);
  }

  openAhead(): number {
    let open = 0;
    for (let index = this.state.index; index < this.state.order.length; index += 1)
      if (this.isOpen(this.state.order[index])) open += 1;
    return open;
  }

  /** Items skipped on the way (open, behind the current position). */
  openBehind(): number {
    let open = 0;
    for (let index = 0; index < Math.min(this.state.index, this.state.order.length); index += 1)
      if (this.isOpen(this.state.order[index])) open += 1;
    return open;
  }

  /** Claims the first batch. */
  async start(): Promise<void> {
    await this.claimMore();
  }

  /** Called when an item is on screen: the time to decide is counted from here. */
  markShown(itemId: string, at = new Date()): void {
    this.shownAt.set(itemId, at);
  }

  decideCurrent(action: DecisionAction, after?: Record<string, unknown>): boolean {
    const item = this.current();
    if (!item) return false;
    const decided = this.ledger.decide(
      item.id,
      action,
      after,
      this.shownAt.get(item.id) ?? new Date(),
    );
    if (decided) {
      // The count comes from the server only when a batch is claimed; between claims it follows
      // this trainer's own decisions, so it goes down as they work.
      if (this.state.remaining !== null) this.update({ remaining: Math.max(0, this.state.remaining - 1) });
      this.moveTo(this.nextOpenIndex(this.state.index));
    }
    return decided;
  }

  /** Undoes my latest decision and shows that item again. */
  undo(): boolean {
    const itemId = this.ledger.undo();
    if (itemId === null) return false;
    if (this.state.remaining !== null) this.update({ remaining: this.state.remaining + 1 });
    const index = this.state.order.indexOf(itemId);
    if (index >= 0) this.moveTo(index);
    return true;
  }

  next(): void {
    this.moveTo(Math.min(this.state.index + 1, Math.max(0, this.state.order.length - 1)));
  }

  previous(): void {
    this.moveTo(Math.max(0, Math.min(this.state.index, this.state.order.length) - 1));
  }

  /** Skips to the first open item from another call. */
  nextCall(): void {
    const recordingId = this.current()?.recordingId;
    for (let index = this.state.index + 1; index < this.state.order.length; index += 1) {
      const id = this.state.order[index];
      if (this.isOpen(id) && this.state.ledger.items.get(id)?.recordingId !== recordingId) {
        this.moveTo(index);
        return;
      }
    }
    this.moveTo(this.state.order.length);
  }

  goTo(itemId: string): void {
    const index = this.state.order.indexOf(itemId);
    if (index >= 0) this.moveTo(index);
  }

  firstSkipped(): void {
    const index = this.state.order.findIndex((id) => this.isOpen(id));
    if (index >= 0) this.moveTo(index);
  }

  /** Applies the server's state after a conflict; the item leaves the session if someone else decided it. */
  async reload(itemId: string): Promise<void> {
    await this.ledger.reload(itemId);
    const item = this.state.ledger.items.get(itemId);
    if (item && item.status !== "pending" && !this.ledger.decidedByMe(itemId)) {
      this.update({ closed: new Set([...this.state.closed, itemId]) });
    }
  }

  /** After the queue ran dry: look for new items (other uploads may have been drafted since). */
  async checkAgain(): Promise<void> {
    this.update({ exhausted: false });
    await this.claimMore();
  }

  /** Ends the session: open items go back to the queue for others. */
  async stop(): Promise<void> {
    this.stopped = true;
    const open = this.state.order.filter((id) => this.isOpen(id));
    await this.ledger.settled();
    if (open.length > 0) await this.transport.release(open).catch(() => undefined);
  }

  private nextOpenIndex(from: number): number {
    for (let index = from + 1; index < this.state.order.length; index += 1)
      if (this.isOpen(this.state.order[index])) return index;
    return this.state.order.length;
  }

  private moveTo(index: number): void {
    if (index !== this.state.index) this.update({ index });
    if (this.openAhead() < this.prefetchBelow) void this.claimMore();
  }

  private async claimMore(): Promise<void> {
    if (this.state.claiming || this.state.exhausted || this.stopped) return;
    this.update({ claiming: true, error: null });
    // A claim returns the leases this trainer already holds first (open items, and decided ones
    // whose save is still on its way), so ask for that many more than the new items wanted.
    const held = this.state.order.filter((id) => this.isOpen(id)).length + this.state.ledger.saving;
    const count = Math.min(maximumClaim, this.batchSize + held);
    try {
      const [claimed, remaining] = await Promise.all([
        this.transport.claim(this.filters, count),
        this.transport.count(this.filters).catch(() => this.state.remaining),
      ]);
      const added = this.ledger.addItems(claimed);
      this.update({
        order: [...this.state.order, ...added.map((item) => item.id)],
        exhausted: added.length === 0 && claimed.length < count,
        claiming: false,
        started: true,
        remaining,
      });
    } catch (error) {
      this.update({ claiming: false, started: true, error });
    }
  }
}
