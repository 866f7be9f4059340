import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client.ts";
import { DecisionLedger } from "./decision-ledger.ts";
import { ReviewSession } from "./review-session.ts";
import type { SessionTransport } from "./review-session.ts";
import type { DecisionBody, ItemStatus, ReviewItem } from "./review-types.ts";

function makeItem(id: string, overrides: Partial<ReviewItem> = {}): ReviewItem {
  return {
    id,
    draftId: "draft",
    recordingId: "call-1",
    recordingTitle: "Call",
    kind: "intent",
    position: 0,
    segmentOrdinal: 0,
    evidence: [0],
    content: { segment: 0, intent: "greeting", confidence: 0.4 },
    currentContent: null,
    status: "pending",
    revision: 0,
    confidence: 0.4,
    doubleLabel: false,
    segmentText: "Hello",
    previousText: null,
    speaker: "Agent",
    engine: "local",
    model: "local-intent@1",
    promptSetVersion: null,
    customerStage: "discovery",
    teamId: "team",
    teamName: "Team",
    ownerId: "owner",
    workspaceId: "workspace",
    createdAt: "2025-01-01T00:00:00.000Z",
    origin: "engine",
    decidedAs: null,
    agentRunId: null,
    agent: null,
    traceId: null,
    ...overrides,
  };
}

const statusOf: Record<DecisionBody["action"], ItemStatus> = {
  accept: "accepted",
  reject: "rejected",
  override: "overridden",
  no_fit: "rejected",
};

/** A server in memory with the real API's rules: revisions, 409s, undo of the latest decision, leases. */
class FakeServer implements SessionTransport {
  items = new Map<string, ReviewItem>();
  decisions: Array<{
    id: string;
    itemId: string;
    body: DecisionBody;
    undone: boolean;
  }> = [];
  leases = new Map<string, string>();
  released: string[] = [];
  claims = 0;
  /** Requests wait until this resolves (to look at the optimistic state). */
  gate: Promise<void> = Promise.resolve();
  failNextDecision: unknown = null;

  constructor(
    items: ReviewItem[],
    readonly user = "me",
  ) {
    for (const item of items) this.items.set(item.id, item);
  }

  async decide(itemId: string, body: DecisionBody) {
    await this.gate;
    if (this.failNextDecision) {
      const error = this.failNextDecision;
      this.failNextDecision = null;
      throw error;
    }
    const item = this.items.get(itemId)!;
    if (body.revision !== item.revision)
      throw new ApiError("Someone already decided this item (override).", 409, "conflict");
    const updated: ReviewItem = {
      ...item,
      status: statusOf[body.action],
      currentContent: body.action === "reject" ? null : { ...item.content, ...body.after },
      revision: item.revision + 1,
    };
    this.items.set(itemId, updated);
    const decision = {
      id: `decision-${this.decisions.length + 1}`,
      itemId,
      body,
      undone: false,
    };
    this.decisions.push(decision);
    return { item: updated, decisionId: decision.id, independent: false };
  }

  async undo(decisionId: string) {
    await this.gate;
    const decision = this.decisions.find((entry) => entry.id === decisionId)!;
    decision.undone = true;
    const item = this.items.get(decision.itemId)!;
    const updated: ReviewItem = {
      ...item,
      status: "pending",
      currentContent: null,
      revision: item.revision + 1,
    };
    this.items.set(item.id, updated);
    return {
      item: updated,
      decisionId: `undo-${decisionId}`,
      independent: false,
    };
  }

  async fetchItem(item: ReviewItem) {
    return this.items.get(item.id) ?? null;
  }

  async claim(_filters: object, count: number) {
    this.claims += 1;
    const claimable = [...this.items.values()].filter(
      (item) => item.status === "pending" && (this.leases.get(item.id) ?? this.user) === this.user,
    );
    const mine = claimable.filter((item) => this.leases.get(item.id) === this.user);
    const others = claimable.filter((item) => !this.leases.has(item.id));
    const claimed = [...mine, ...others].slice(0, count);
    for (const item of claimed) this.leases.set(item.id, this.user);
    return claimed;
  }

  async release(itemIds: string[]) {
    this.released.push(...itemIds);
    for (const id of itemIds) this.leases.delete(id);
  }

  async count() {
    return [...this.items.values()].filter((item) => item.status === "pending").length;
  }

  /** Another trainer decides directly on the server. */
  decideAsSomeoneElse(itemId: string, intent: string) {
    const item = this.items.get(itemId)!;
    this.items.set(itemId, {
      ...item,
      status: "overridden",
      currentContent: { ...item.content, intent },
      revision: item.revision + 1,
    });
  }
}

const items = (count: number, prefix = "item", overrides: Partial<ReviewItem> = {}) =>
  Array.from({ length: count }, (_, index) => makeItem(`${prefix}-${index}`, overrides));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe("DecisionLedger", () => {
  it("shows a decision at once and takes the server's item when it answers", async () => {
    const server = new FakeServer(items(1));
    const gate = deferred();
    server.gate = gate.promise;
    const ledger = new DecisionLedger(server);
    ledger.addItems([...server.items.values()]);

    const shownAt = new Date("2025-01-01T10:00:00Z");
    expect(ledger.decide("item-0", "override", { intent: "closing" }, shownAt)).toBe(true);
    const optimistic = ledger.getState().items.get("item-0")!;
    expect(optimistic.status).toBe("overridden");
    expect(optimistic.currentContent?.intent).toBe("closing");
    expect(optimistic.revision).toBe(0);
    expect(ledger.getState().saving).toBe(1);

    gate.resolve();
    await ledger.settled();
    const saved = ledger.getState().items.get("item-0")!;
    expect(saved.revision).toBe(1);
    expect(ledger.getState().saving).toBe(0);
    expect(server.decisions[0].body).toEqual({
      action: "override",
      after: { intent: "closing" },
      revision: 0,
      shownAt: "2025-01-01T10:00:00.000Z",
    });
  });

  it("undoes a decision still being saved once it is saved, then decides again on the new revision", async () => {
    const server = new FakeServer(items(1));
    const gate = deferred();
    server.gate = gate.promise;
    const ledger = new DecisionLedger(server);
    ledger.addItems([...server.items.values()]);

    ledger.decide("item-0", "accept", undefined, new Date());
    expect(ledger.undo()).toBe("item-0");
    expect(ledger.getState().items.get("item-0")!.status).toBe("pending");
    expect(ledger.undo()).toBeNull();
    ledger.decide("item-0", "reject", undefined, new Date());

    gate.resolve();
    await ledger.settled();
    expect(
      server.decisions.map((decision) => [decision.body.action, decision.body.revision]),
    ).toEqual([
      ["accept", 0],
      ["reject", 2],
    ]);
    expect(server.decisions[0].undone).toBe(true);
    const item = ledger.getState().items.get("item-0")!;
    expect(item.status).toBe("rejected");
    expect(item.revision).toBe(3);
    expect(ledger.getState().conflicts).toEqual([]);
  });

  it("shows a conflict with the other decision instead of overwriting it, and applies it on reload", async () => {
    const server = new FakeServer(items(1));
    const ledger = new DecisionLedger(server);
    ledger.addItems([...server.items.values()]);
    server.decideAsSomeoneElse("item-0", "pricing_objection");

    ledger.decide("item-0", "accept", undefined, new Date());
    await ledger.settled();
    const [conflict] = ledger.getState().conflicts;
    expect(conflict.itemId).toBe("item-0");
    expect(conflict.message).toMatch(/already decided/);
    expect(conflict.current?.currentContent?.intent).toBe("pricing_objection");
    // Back to what it showed; the other decision is not applied until the trainer reloads.
    expect(ledger.getState().items.get("item-0")!.status).toBe("pending");
    expect(ledger.getState().history).toEqual([]);
    // No second attempt over the other decision while the conflict stands.
    expect(ledger.decide("item-0", "reject", undefined, new Date())).toBe(false);

    await ledger.reload("item-0");
    expect(ledger.getState().conflicts).toEqual([]);
    expect(ledger.getState().items.get("item-0")!.status).toBe("overridden");
    ledger.decide("item-0", "reject", undefined, new Date());
    await ledger.settled();
    expect(server.decisions.at(-1)?.body.revision).toBe(1);
    expect(ledger.getState().conflicts).toEqual([]);
  });

  it("puts the item back and reports a failed save", async () => {
    const server = new FakeServer(items(1));
    server.failNextDecision = new ApiError("Cannot reach the server.", 0, "network");
    const ledger = new DecisionLedger(server);
    ledger.addItems([...server.items.values()]);
    ledger.decide("item-0", "accept", undefined, new Date());
    await ledger.settled();
    expect(ledger.getState().items.get("item-0")!.status).toBe("pending");
    expect(ledger.getState().failures).toHaveLength(1);
    expect(ledger.decidedByMe("item-0")).toBe(false);
    ledger.dismissFailure(ledger.getState().failures[0].key);
    expect(ledger.getState().failures).toEqual([]);
  });
});

describe("ReviewSession", () => {
  it("moves to the next open item on a decision and claims more before running out", async () => {
    const server = new FakeServer(items(12));
    const session = new ReviewSession(
      server,
      { order: "uncertainty" },
      {
        batchSize: 5,
        prefetchBelow: 3,
      },
    );
    await session.start();
    expect(session.getState().order).toHaveLength(5);
    expect(session.current()?.id).toBe("item-0");

    session.decideCurrent("accept");
    expect(session.current()?.id).toBe("item-1");
    session.decideCurrent("reject");
    session.decideCurrent("override", { intent: "closing" });
    // Two open items left ahead (< 3): the next batch is being claimed already.
    expect(session.getState().claiming).toBe(true);
    await session.ledger.settled();
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The new batch joins after the first, without repeating items this session already has.
    const order = session.getState().order;
    expect(order.length).toBeGreaterThan(5);
    expect(new Set(order).size).toBe(order.length);
    expect(order.slice(0, 5)).toEqual(["item-0", "item-1", "item-2", "item-3", "item-4"]);
    expect(session.current()?.id).toBe("item-3");
    expect(server.decisions).toHaveLength(3);
  });

  it("counts down what waits in the queue as the trainer decides, and back up on undo", async () => {
    const server = new FakeServer(items(30));
    const session = new ReviewSession(server, {}, { batchSize: 10, prefetchBelow: 2 });
    await session.start();
    expect(session.getState().remaining).toBe(30);
    session.decideCurrent("accept");
    session.decideCurrent("reject");
    expect(session.getState().remaining).toBe(28);
    session.undo();
    expect(session.getState().remaining).toBe(29);
    await session.ledger.settled();
  });

  it("walks with next and previous, skips to another call, and undo returns to the item", async () => {
    const server = new FakeServer([
      ...items(3, "first", { recordingId: "call-1" }),
      ...items(2, "second", { recordingId: "call-2" }),
    ]);
    const session = new ReviewSession(server, {}, { batchSize: 10, prefetchBelow: 1 });
    await session.start();
    session.next();
    expect(session.current()?.id).toBe("first-1");
    session.previous();
    session.previous();
    expect(session.current()?.id).toBe("first-0");
    session.nextCall();
    expect(session.current()?.id).toBe("second-0");
    session.decideCurrent("accept");
    expect(session.current()?.id).toBe("second-1");
    expect(session.undo()).toBe(true);
    expect(session.current()?.id).toBe("second-0");
    expect(session.isOpen("second-0")).toBe(true);
    expect(session.openBehind()).toBe(3);
  });

  it("reports an empty queue, and stop gives open items back", async () => {
    const empty = new ReviewSession(new FakeServer([]), {});
    await empty.start();
    expect(empty.getState().exhausted).toBe(true);
    expect(empty.current()).toBeNull();

    const server = new FakeServer(items(3));
    const session = new ReviewSession(server, {}, { batchSize: 3, prefetchBelow: 0 });
    await session.start();
    session.decideCurrent("accept");
    await session.stop();
    expect(server.released.sort()).toEqual(["item-1", "item-2"]);
  });

  it("two trainers claiming the same queue get different items", async () => {
    const shared = new FakeServer(items(6));
    const other = Object.assign(Object.create(Object.getPrototypeOf(shared)), shared, {
      user: "other",
    }) as FakeServer;
    const first = new ReviewSession(shared, {}, { batchSize: 3 });
    const second = new ReviewSession(other, {}, { batchSize: 3 });
    await first.start();
    await second.start();
    const mine = new Set(first.getState().order);
    expect(second.getState().order).toHaveLength(3);
    for (const id of second.getState().order) expect(mine.has(id)).toBe(false);
  });

  it("a conflicted item that someone else decided leaves the session on reload", async () => {
    const server = new FakeServer(items(2));
    const session = new ReviewSession(server, {}, { batchSize: 2, prefetchBelow: 0 });
    await session.start();
    server.decideAsSomeoneElse("item-0", "closing");
    session.decideCurrent("accept");
    await session.ledger.settled();
    expect(session.getState().ledger.conflicts).toHaveLength(1);
    expect(session.isOpen("item-0")).toBe(true);
    await session.reload("item-0");
    expect(session.isOpen("item-0")).toBe(false);
    expect(session.getState().ledger.conflicts).toEqual([]);
  });
});
