/**
 * Caps concurrent requests per model endpoint. Several drafters (queue worker, sandbox, eval
 * runs) may point at one server with one rate limit, so the cap is keyed by base URL and
 * shared across drafters in this process rather than held by each drafter.
 */

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private limit: number) {
    this.setLimit(limit);
  }

  setLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
    this.limit = limit;
    this.wakeWaiters();
  }

  get activeCount(): number {
    return this.active;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        this.active += 1;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.active -= 1;
          this.wakeWaiters();
        });
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
      this.wakeWaiters();
    });
  }

  private wakeWaiters(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.waiting.shift()?.();
    }
  }
}

const semaphores = new Map<string, Semaphore>();

/** `http://Host:80/v1/` and `http://host/v1` are the same endpoint. */
export function endpointKey(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * The shared semaphore of an endpoint. The most recently configured limit wins, so changing
 * the setting takes effect without a restart.
 */
export function endpointSemaphore(baseUrl: string, limit: number): Semaphore {
  const key = endpointKey(baseUrl);
  const existing = semaphores.get(key);
  if (existing) {
    existing.setLimit(limit);
    return existing;
  }
  const created = new Semaphore(limit);
  semaphores.set(key, created);
  return created;
}
