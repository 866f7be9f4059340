/**
 * label-curve: computes a requested label-efficiency curve (core/eval/label-curves.ts) and
 * reports its progress on the job. Idempotent: a completed curve is left as it is.
 */
import type { Db } from "../../core/db/database.ts";
import { executeLabelCurve, failLabelCurve } from "../../core/eval/label-curves.ts";
import { defineHandler } from "../../core/jobs/runner.ts";

export function labelCurveHandler({ db }: { db: Db }) {
  return defineHandler<"label-curve">(
    async ({ payload, progress }) => {
      await executeLabelCurve(db, payload.labelCurveId, ({ done, total }) => {
        // The runner throttles writes; a failed progress write must not fail the curve.
        void progress(total === 0 ? 1 : done / total, "training").catch(() => {});
      });
    },
    {
      // Out of attempts or bad input: say why on the curve, where the UI looks for it.
      onPermanentFailure: (payload, message) => failLabelCurve(db, payload.labelCurveId, message),
    },
  );
}
