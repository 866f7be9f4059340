import type { Queryable } from "../db/database.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { Actor, Role } from "./actor.ts";
import { roles } from "./actor.ts";
import { hashPassword, hashToken, newSecret, verifyPassword } from "./secrets.ts";

export interface User extends Actor {
  disabled: boolean;
  createdAt: Date;
}

export const minimumPasswordLength = 10;

/** A user's columns, for queries over `users u JOIN teams t ON t.id = u.team_id`. */
export const userColumns = `u.id, u.workspace_id AS "workspaceId", u.team_id AS "teamId", t.path AS "teamPath", u.role,
  u.email, u.display_name AS "displayName", u.locale, u.disabled_at IS NOT NULL AS disabled, u.created_at AS "createdAt"`;

const selectUser = `SELECT ${userColumns} FROM users u JOIN teams t ON t.id = u.team_id`;

export function checkPassword(password: string): void {
  if (password.length < minimumPasswordLength) {
    throw new ValidationError(`A password needs at least ${minimumPasswordLength} characters.`, undefined, {
      key: "users.password_too_short",
      params: { minimum: minimumPasswordLength },
    });
  }
}

export async function createUser(
  db: Queryable,
  input: { workspaceId: string; teamId: string; email: string; displayName?: string; role: Role; password: string; locale?: "zh-CN" | "en" },
): Promise<User> {
  const email = input.email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new ValidationError(`"${input.email}" is not an e-mail address.`);
  if (!roles.includes(input.role)) throw new ValidationError(`Unknown role "${input.role}"; use one of ${roles.join(", ")}.`);
  checkPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  try {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO users (workspace_id, team_id, email, display_name, role, password_hash, locale)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [input.workspaceId, input.teamId, email, input.displayName?.trim() || email.split("@")[0], input.role, passwordHash, input.locale ?? "zh-CN"],
    );
    return getUser(db, rows[0].id);
  } catch (error) {
    if ((error as { code?: string }).code === "23505") throw new ConflictError(`A user with e-mail ${email} already exists.`);
    throw error;
  }
}

export async function getUser(db: Queryable, id: string): Promise<User> {
  const { rows } = await db.query<User>(`${selectUser} WHERE u.id = $1`, [id]);
  if (!rows[0]) throw new NotFoundError("User not found.");
  return rows[0];
}

export async function findUserForSignIn(db: Queryable, email: string): Promise<(User & { passwordHash: string }) | null> {
  const { rows } = await db.query<User & { passwordHash: string }>(
    `SELECT ${userColumns}, u.password_hash AS "passwordHash" FROM users u JOIN teams t ON t.id = u.team_id
     WHERE lower(u.email) = lower($1)`,
    [email.trim()],
  );
  return rows[0] ?? null;
}

/** Users an admin manages: the whole workspace. */
export async function listUsers(db: Queryable, workspaceId: string): Promise<User[]> {
  const { rows } = await db.query<User>(`${selectUser} WHERE u.workspace_id = $1 ORDER BY lower(u.email)`, [workspaceId]);
  return rows;
}

export async function updateUser(
  db: Queryable,
  workspaceId: string,
  id: string,
  changes: { role?: Role; teamId?: string; displayName?: string; locale?: "zh-CN" | "en"; disabled?: boolean; password?: string },
): Promise<User> {
  const existing = await getUser(db, id);
  if (existing.workspaceId !== workspaceId) throw new NotFoundError("User not found.");
  if (changes.password !== undefined) checkPassword(changes.password);
  const losesAdmin = existing.role === "admin" && !existing.disabled && (changes.disabled === true || (changes.role !== undefined && changes.role !== "admin"));
  if (losesAdmin && (await countActiveAdmins(db, workspaceId)) <= 1) {
    // Nobody could manage users any more (and no setup link is offered once users exist).
    throw new ConflictError("This is the last active admin: make someone else an admin first.", undefined, {
      key: "users.last_admin",
    });
  }
  const passwordHash = changes.password !== undefined ? await hashPassword(changes.password) : null;
  await db.query(
    `UPDATE users SET
       role = coalesce($2, role), team_id = coalesce($3, team_id), display_name = coalesce($4, display_name),
       locale = coalesce($5, locale), password_hash = coalesce($6, password_hash),
       disabled_at = CASE WHEN $7::boolean IS NULL THEN disabled_at WHEN $7 THEN coalesce(disabled_at, now()) ELSE NULL END,
       updated_at = now()
     WHERE id = $1`,
    [id, changes.role ?? null, changes.teamId ?? null, changes.displayName ?? null, changes.locale ?? null, passwordHash, changes.disabled ?? null],
  );
  if (changes.disabled || changes.password !== undefined) {
    // Disabling a user or resetting a password signs them out everywhere.
    await db.query("DELETE FROM sessions WHERE user_id = $1", [id]);
  }
  return getUser(db, id);
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM users");
  return rows[0].count;
}

async function countActiveAdmins(db: Queryable, workspaceId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    "SELECT count(*)::int AS count FROM users WHERE workspace_id = $1 AND role = 'admin' AND disabled_at IS NULL",
    [workspaceId],
  );
  return rows[0].count;
}

/**
 * The signed-in user changes their own password: the current one proves it is them (a session left
 * open on a shared computer is not enough). Their other sessions end; the one making the change stays.
 */
export async function changeOwnPassword(
  db: Queryable,
  input: { userId: string; currentPassword: string; newPassword: string; keepSessionToken?: string },
): Promise<void> {
  const { rows } = await db.query<{ passwordHash: string }>('SELECT password_hash AS "passwordHash" FROM users WHERE id = $1', [input.userId]);
  if (!rows[0]) throw new NotFoundError("User not found.");
  if (!(await verifyPassword(rows[0].passwordHash, input.currentPassword))) {
    throw new ValidationError("The current password is wrong.", undefined, { key: "users.current_password_wrong" });
  }
  checkPassword(input.newPassword);
  if (input.newPassword === input.currentPassword) {
    throw new ValidationError("The new password is the same as the current one.", undefined, { key: "users.password_unchanged" });
  }
  await db.query("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", [input.userId, await hashPassword(input.newPassword)]);
  await db.query("DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2", [
    input.userId,
    input.keepSessionToken ? hashToken(input.keepSessionToken) : null,
  ]);
}

/**
 * An admin resets someone's password, as first-run setup does it: a password, not an e-mailed link
 * (Calibrate sends no mail). The temporary password is returned once, never stored in the clear, and
 * every session of that user ends; they change it in Settings after signing in.
 */
export async function resetPassword(db: Queryable, workspaceId: string, id: string): Promise<{ user: User; temporaryPassword: string }> {
  // 15 random bytes → 20 URL-safe characters: above the minimum length, easy to copy.
  const temporaryPassword = newSecret(15);
  const user = await updateUser(db, workspaceId, id, { password: temporaryPassword });
  return { user, temporaryPassword };
}
