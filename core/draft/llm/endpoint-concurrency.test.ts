import { describe, expect, it } from "vitest";
import { endpointKey, endpointSemaphore, Semaphore } from "./endpoint-concurrency.ts";

describe("Semaphore", () => {
  it("grants up to the limit and queues the rest in order", async () => {
    const semaphore = new Semaphore(2);
    const first = await semaphore.acquire();
    await semaphore.acquire();
    const order: string[] = [];
    const third = semaphore.acquire().then((release) => {
      order.push("third");
      return release;
    });
    const fourth = semaphore.acquire().then(() => order.push("fourth"));
    expect(semaphore.waitingCount).toBe(2);
    first();
    first(); // releasing twice frees one slot only
    (await third)();
    await fourth;
    expect(order).toEqual(["third", "fourth"]);
    expect(semaphore.activeCount).toBe(2);
  });

  it("removes an aborted waiter from the queue", async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error("gone"));
    await expect(waiting).rejects.toThrow("gone");
    expect(semaphore.waitingCount).toBe(0);
    release();
    expect(semaphore.activeCount).toBe(0);
  });

  it("rejects a limit below one", () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe("endpointSemaphore", () => {
  it("shares one semaphore per endpoint, whatever the spelling of the URL", () => {
    expect(endpointKey("http://LOCALHOST:80/v1/")).toBe(endpointKey("http://localhost/v1"));
    const first = endpointSemaphore("http://model.test:8080/v1", 2);
    const second = endpointSemaphore("http://model.test:8080/v1/", 3);
    expect(second).toBe(first);
    expect(endpointSemaphore("http://other.test/v1", 2)).not.toBe(first);
  });
});
