/**
 * rollup: refresh a workspace's capability-map rollup. "auto" mode recomputes only the days touched
 * since the last refresh, and rebuilds everything when there is no rollup yet, its layout changed,
 * or the last full rebuild is over a day old. Idempotent: a re-run recomputes the same rows.
 * A missing workspace or an invalid time-zone setting is a typed, non-retryable error.
 */
import type { Db } from "../../core/db/database.ts";
import { refreshCapabilityRollup } from "../../core/capability-map/rollup.ts";
import { defineHandler } from "../../core/jobs/runner.ts";

export function rollupHandler({ db }: { db: Db }) {
  return defineHandler<"rollup">(async ({ payload, progress }) => {
    await progress(0, "aggregating");
    const report = await refreshCapabilityRollup(db, {
      workspaceId: payload.workspaceId,
      mode: "auto",
    });
    await progress(1, report.mode === "full" ? "rebuilt" : "updated");
  });
}
