/**
 * webhook-delivery: one HTTP attempt per run. A failed attempt throws a TransientError, so the
 * transport retries with exponential backoff (core/jobs/contracts.ts); when attempts run out the
 * delivery is marked failed, where the admin's delivery log shows it (with "resend").
 */
import type { Config } from "../../core/config.ts";
import type { Db } from "../../core/db/database.ts";
import { secretBoxFor } from "../../core/auth/secret-box.ts";
import { defineHandler } from "../../core/jobs/runner.ts";
import { attemptDelivery, markDeliveryFailed } from "../../core/webhooks/delivery.ts";

export function webhookDeliveryHandler({ db, config }: { db: Db; config: Config }) {
  return defineHandler<"webhook-delivery">(
    async ({ payload, signal }) => {
      await attemptDelivery({ db, secrets: secretBoxFor(config), signal }, payload.deliveryId);
    },
    { onPermanentFailure: (payload, message) => markDeliveryFailed(db, payload.deliveryId, message) },
  );
}
