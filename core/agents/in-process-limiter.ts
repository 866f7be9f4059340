/**
 * A connector limiter for one process: the per-endpoint semaphores the drafter already uses
 * (core/draft/llm/endpoint-concurrency.ts), keyed by connector id. Enough for `npm start`; the
 * shared limiter across workers (database rows or Redis) replaces it when connectors are stored.
 */
import type { ConnectorLimiter } from "../connectors/connector.ts";
import { Semaphore } from "../draft/llm/endpoint-concurrency.ts";

export function createInProcessLimiter(): ConnectorLimiter {
  const semaphores = new Map<string, Semaphore>();
  return {
    async acquire(connectorId, limit, signal) {
      let semaphore = semaphores.get(connectorId);
      if (!semaphore) {
        semaphore = new Semaphore(limit);
        semaphores.set(connectorId, semaphore);
      } else {
        // The most recently configured limit wins, so an admin's change applies without a restart.
        semaphore.setLimit(limit);
      }
      const release = await semaphore.acquire(signal);
      return async () => release();
    },
  };
}
