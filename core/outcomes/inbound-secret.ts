/**
 * The per-workspace secret that signs inbound outcome webhooks (same scheme as outbound:
 * core/webhooks/signature.ts). Admins create or rotate it and see it once; it is stored encrypted.
 */
import type { Actor } from "../auth/actor.ts";
import { requireRole } from "../auth/actor.ts";
import type { SecretBox } from "../auth/secret-box.ts";
import type { Queryable } from "../db/database.ts";
import { UnauthorizedError } from "../errors.ts";
import { newSigningSecret } from "../webhooks/subscriptions.ts";
import { verifySignature } from "../webhooks/signature.ts";

export async function rotateInboundSecret(deps: { db: Queryable; secrets: SecretBox }, actor: Actor): Promise<string> {
  requireRole(actor, "admin");
  const secret = newSigningSecret();
  await deps.db.query(
    `INSERT INTO outcome_inbound_secrets (workspace_id, secret_ciphertext, created_by) VALUES ($1, $2, $3)
     ON CONFLICT (workspace_id) DO UPDATE SET secret_ciphertext = excluded.secret_ciphertext, created_by = excluded.created_by, created_at = now()`,
    [actor.workspaceId, deps.secrets.encrypt(secret), actor.id],
  );
  return secret;
}

export async function inboundSecretStatus(db: Queryable, actor: Actor): Promise<{ configured: boolean; createdAt: Date | null }> {
  requireRole(actor, "admin");
  const { rows } = await db.query<{ createdAt: Date }>('SELECT created_at AS "createdAt" FROM outcome_inbound_secrets WHERE workspace_id = $1', [actor.workspaceId]);
  return { configured: rows.length > 0, createdAt: rows[0]?.createdAt ?? null };
}

/** 401 unless the request is signed with the workspace's inbound secret within the tolerance. */
export async function verifyInboundRequest(
  deps: { db: Queryable; secrets: SecretBox },
  input: { workspaceId: string; header: string | undefined; body: Buffer; toleranceSeconds: number },
): Promise<void> {
  const { rows } = await deps.db.query<{ secretCiphertext: string }>(
    'SELECT secret_ciphertext AS "secretCiphertext" FROM outcome_inbound_secrets WHERE workspace_id = $1',
    [input.workspaceId],
  );
  // Same answer for an unknown workspace and one without a secret: nothing to probe.
  if (!rows[0]) throw new UnauthorizedError("Inbound outcomes are not set up for this workspace (no signing secret).");
  verifySignature({ secret: deps.secrets.decrypt(rows[0].secretCiphertext), header: input.header, body: input.body, toleranceSeconds: input.toleranceSeconds });
}
