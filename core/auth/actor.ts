/**
 * Who is asking, and what they may see. Every query that returns workspace data takes an Actor and
 * narrows itself with `recordingScope`, so a rep cannot read another rep's recording by guessing an
 * id: the row is simply not found.
 */
import { ForbiddenError } from "../errors.ts";

export const roles = ["rep", "trainer", "manager", "admin"] as const;
export type Role = (typeof roles)[number];

export interface Actor {
  id: string;
  workspaceId: string;
  teamId: string;
  /** '/root-id/.../team-id/': the actor's team and everything below it share this prefix. */
  teamPath: string;
  role: Role;
  email: string;
  displayName: string;
  locale: "zh-CN" | "en";
}

export function requireRole(actor: Actor, ...allowed: Role[]): void {
  if (!allowed.includes(actor.role)) {
    throw new ForbiddenError(`This needs the role ${allowed.join(" or ")}; you are signed in as ${actor.role}.`, undefined, {
      key: "auth.role_needed",
      params: { roles: allowed.join(","), role: actor.role },
    });
  }
}

/**
 * SQL that limits recordings (aliased `alias`) to what the actor may read. Reps: their own.
 * Trainers and managers: their team's subtree. Admins: the whole workspace.
 * `next` is the number of the first free parameter placeholder.
 */
export function recordingScope(actor: Actor, alias: string, next: number): { sql: string; params: unknown[] } {
  switch (actor.role) {
    case "rep":
      return { sql: `${alias}.owner_id = $${next}`, params: [actor.id] };
    case "trainer":
    case "manager":
      return {
        sql: `${alias}.team_id IN (SELECT id FROM teams WHERE path LIKE $${next})`,
        params: [`${actor.teamPath}%`],
      };
    case "admin":
      return { sql: `${alias}.workspace_id = $${next}`, params: [actor.workspaceId] };
  }
}

/** Same rule for anything that carries a team path and an owner (jobs, events). */
export function canSee(actor: Actor, subject: { workspaceId?: string | null; ownerId?: string | null; teamPath?: string | null }): boolean {
  if (subject.workspaceId && subject.workspaceId !== actor.workspaceId) return false;
  switch (actor.role) {
    case "rep":
      return subject.ownerId === actor.id;
    case "trainer":
    case "manager":
      return subject.ownerId === actor.id || (subject.teamPath ?? "").startsWith(actor.teamPath);
    case "admin":
      return true;
  }
}

/** Unredacted transcript text is for the recording's own rep and for admins only. */
export function canReadOriginalText(actor: Actor, recording: { ownerId: string }): boolean {
  return actor.role === "admin" || recording.ownerId === actor.id;
}
