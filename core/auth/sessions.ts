/**
 * Password sign-in with server-side sessions, and personal API tokens for scripts and the CLI.
 * Only hashes of the secrets are stored.
 */
import type { Queryable } from "../db/database.ts";
import { NotFoundError, UnauthorizedError, ValidationError } from "../errors.ts";
import type { Actor } from "./actor.ts";
import { hashPassword, hashToken, newSecret, verifyPassword } from "./secrets.ts";
import { findUserForSignIn, getUser, userColumns } from "./users.ts";

export interface Session {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  actor: Actor;
}

// Verifying against a real hash even for unknown e-mails keeps the response time the same,
// so sign-in does not reveal which addresses have accounts.
let decoyHash: Promise<string> | undefined;

export async function signIn(db: Queryable, email: string, password: string, ttlHours: number): Promise<Session> {
  const user = await findUserForSignIn(db, email);
  decoyHash ??= hashPassword(newSecret());
  const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash), password);
  if (!user || !valid || user.disabled) throw new UnauthorizedError("Wrong e-mail or password.", undefined, { key: "auth.wrong_password" });
  const token = newSecret();
  const csrfToken = newSecret();
  const expiresAt = new Date(Date.now() + ttlHours * 3_600_000);
  await db.query("INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)", [
    hashToken(token),
    user.id,
    csrfToken,
    expiresAt,
  ]);
  const { passwordHash: _hash, disabled: _disabled, createdAt: _created, ...actor } = user;
  return { token, csrfToken, expiresAt, actor };
}

export async function resolveSession(db: Queryable, token: string): Promise<{ actor: Actor; csrfToken: string } | null> {
  // One query on every request that carries a session cookie.
  const { rows } = await db.query<Actor & { csrfToken: string }>(
    `SELECT ${userColumns}, s.csrf_token AS "csrfToken"
     FROM sessions s JOIN users u ON u.id = s.user_id JOIN teams t ON t.id = u.team_id
     WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [hashToken(token)],
  );
  if (!rows[0]) return null;
  return { actor: toActor(rows[0]), csrfToken: rows[0].csrfToken };
}

export async function signOut(db: Queryable, token: string): Promise<void> {
  await db.query("DELETE FROM sessions WHERE token_hash = $1", [hashToken(token)]);
}

export async function deleteExpiredSessions(db: Queryable): Promise<number> {
  const { rowCount } = await db.query("DELETE FROM sessions WHERE expires_at <= now()");
  return rowCount;
}

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

/** Returns the secret once; afterwards only its prefix is shown. */
export async function createApiToken(
  db: Queryable,
  userId: string,
  input: { name: string; expiresInDays?: number | null },
): Promise<ApiToken & { token: string }> {
  const name = input.name.trim();
  if (!name) throw new ValidationError("A token needs a name, so you can tell your tokens apart.");
  const token = `clb_${newSecret(24)}`;
  const { rows } = await db.query<ApiToken>(
    `INSERT INTO api_tokens (user_id, name, token_hash, prefix, expires_at)
     VALUES ($1, $2, $3, $4, CASE WHEN $5::int IS NULL THEN NULL ELSE now() + make_interval(days => $5::int) END)
     RETURNING id, name, prefix, created_at AS "createdAt", last_used_at AS "lastUsedAt", expires_at AS "expiresAt"`,
    [userId, name, hashToken(token), token.slice(0, 10), input.expiresInDays ?? null],
  );
  return { ...rows[0], token };
}

export async function listApiTokens(db: Queryable, userId: string): Promise<ApiToken[]> {
  const { rows } = await db.query<ApiToken>(
    `SELECT id, name, prefix, created_at AS "createdAt", last_used_at AS "lastUsedAt", expires_at AS "expiresAt"
     FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC`,
    [userId],
  );
  return rows;
}

export async function revokeApiToken(db: Queryable, userId: string, id: string): Promise<void> {
  const { rowCount } = await db.query(
    "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
    [id, userId],
  );
  if (rowCount === 0) throw new NotFoundError("Token not found.");
}

export async function resolveApiToken(db: Queryable, token: string): Promise<Actor | null> {
  const { rows } = await db.query<{ id: string; userId: string; stale: boolean }>(
    `SELECT t.id, t.user_id AS "userId", (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute') AS stale
     FROM api_tokens t JOIN users u ON u.id = t.user_id
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.disabled_at IS NULL`,
    [hashToken(token)],
  );
  const found = rows[0];
  if (!found) return null;
  // "Last used" to the minute is enough; writing it on every request would add a write per API call.
  if (found.stale) await db.query("UPDATE api_tokens SET last_used_at = now() WHERE id = $1", [found.id]);
  return toActor(await getUser(db, found.userId));
}

function toActor(user: Actor & { disabled?: boolean; createdAt?: Date }): Actor {
  const { id, workspaceId, teamId, teamPath, role, email, displayName, locale } = user;
  return { id, workspaceId, teamId, teamPath, role, email, displayName, locale };
}
