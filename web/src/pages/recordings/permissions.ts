/**
 * What the signed-in user may do to a recording, mirroring the server's rules so the UI offers
 * only actions that can succeed (the server still decides): the recording's own rep and admins
 * may erase it; anyone but a manager may re-run a failed one or upload.
 */
import type { CurrentUser, Recording, Role } from "../../api/types.ts";

const uploaderRoles: ReadonlySet<Role> = new Set<Role>(["rep", "trainer", "admin"]);

export function canUpload(user: CurrentUser): boolean {
  return uploaderRoles.has(user.role);
}

export function canRetry(user: CurrentUser): boolean {
  return user.role !== "manager";
}

export function canErase(user: CurrentUser, recording: Pick<Recording, "ownerId">): boolean {
  return user.role === "admin" || recording.ownerId === user.id;
}

/** Re-running one agent on a call: trainers and admins, and the call's own rep (core/agents/pipeline.ts). */
export function canRerunAgents(user: CurrentUser, recording: Pick<Recording, "ownerId">): boolean {
  return user.role === "trainer" || user.role === "admin" || (user.role === "rep" && recording.ownerId === user.id);
}
