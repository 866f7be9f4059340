/**
 * Trace retention (`TRACE_RETENTION_DAYS`): traces that started longer ago than that are deleted with
 * their spans, in batches so a first sweep over a large backlog does not hold one long transaction.
 * 0 keeps traces forever. The API process runs the sweep at start-up and then hourly (server/runtime.ts).
 */
import type { Queryable } from "../db/database.ts";

export const traceSweepIntervalMs = 60 * 60_000;
const batchSize = 5_000;

export async function sweepExpiredTraces(db: Queryable, options: { retentionDays: number; now?: Date }): Promise<{ deleted: number }> {
  if (options.retentionDays <= 0) return { deleted: 0 };
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionDays * 24 * 60 * 60_000);
  let deleted = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM traces WHERE id IN (SELECT id FROM traces WHERE started_at < $1 LIMIT ${batchSize})`,
      [cutoff],
    );
    deleted += rowCount;
    if (rowCount < batchSize) return { deleted };
  }
}
