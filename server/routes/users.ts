import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { roles } from "../../core/auth/actor.ts";
import { createApiToken, listApiTokens, revokeApiToken } from "../../core/auth/sessions.ts";
import { createTeam, getTeam, listSubtree, renameTeam } from "../../core/auth/teams.ts";
import { changeOwnPassword, createUser, getUser, listUsers, resetPassword, updateUser } from "../../core/auth/users.ts";
import { NotFoundError } from "../../core/errors.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { body, params } from "../http/validate.ts";

const idParams = z.object({ id: z.uuid() });
const locale = z.enum(["zh-CN", "en"]);

export const createUserRequest = z.object({
  email: z.string().trim().max(320),
  displayName: z.string().trim().max(200).optional(),
  role: z.enum(roles),
  teamId: z.uuid(),
  password: z.string().max(1024),
  locale: locale.optional(),
});

export const updateUserRequest = z.object({
  role: z.enum(roles).optional(),
  teamId: z.uuid().optional(),
  displayName: z.string().trim().min(1).max(200).optional(),
  locale: locale.optional(),
  disabled: z.boolean().optional(),
  password: z.string().max(1024).optional(),
});

export const createTeamRequest = z.object({
  name: z.string().trim().min(1).max(200),
  parentId: z.uuid().nullable().optional(),
  agentChannel: z.enum(["left", "right"]).optional(),
});

export const renameTeamRequest = z.object({ name: z.string().trim().min(1).max(200) });

export const changePasswordRequest = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().max(1024),
});

export const createTokenRequest = z.object({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(3650).nullable().optional(),
});

export const updateProfileRequest = z.object({
  locale: locale.optional(),
  displayName: z.string().trim().min(1).max(200).optional(),
});

/** Users, teams and personal tokens. Admins manage users; everyone manages their own profile and tokens. */
export function userRoutes(context: AppContext): Router {
  const router = Router();
  const { db } = context;

  router.get("/users", allow("admin"), async (request: Request, response: Response) => {
    response.json({ users: await listUsers(db, actorOf(request).workspaceId) });
  });

  router.post("/users", allow("admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const input = body(request, createUserRequest);
    const team = await getTeam(db, input.teamId);
    if (team.workspaceId !== actor.workspaceId) throw new NotFoundError("Team not found.");
    const user = await createUser(db, { ...input, workspaceId: actor.workspaceId });
    context.logger.info({ userId: user.id, role: user.role, by: actor.id }, "User created");
    response.status(201).json({ user });
  });

  router.patch("/users/:id", allow("admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { id } = params(request, idParams);
    const input = body(request, updateUserRequest);
    if (input.teamId) {
      const team = await getTeam(db, input.teamId);
      if (team.workspaceId !== actor.workspaceId) throw new NotFoundError("Team not found.");
    }
    const user = await updateUser(db, actor.workspaceId, id, input);
    // No audit table yet: the log line records who changed whom, and what (never the password).
    const { password, ...changed } = input;
    context.logger.info({ userId: id, by: actor.id, changes: { ...changed, password: password === undefined ? undefined : "set" } }, "User changed");
    response.json({ user });
  });

  router.post("/users/:id/password-reset", allow("admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { id } = params(request, idParams);
    const { user, temporaryPassword } = await resetPassword(db, actor.workspaceId, id);
    context.logger.info({ userId: id, by: actor.id }, "Password reset by an admin");
    // Shown once to the admin, who passes it on; it is not stored in the clear anywhere.
    response.json({ user, temporaryPassword });
  });

  router.post("/me/password", allow(), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const input = body(request, changePasswordRequest);
    await changeOwnPassword(db, { userId: actor.id, ...input, keepSessionToken: request.sessionToken });
    context.logger.info({ userId: actor.id }, "Password changed by its owner");
    response.status(204).end();
  });

  router.patch("/me", allow(), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const input = body(request, updateProfileRequest);
    response.json({ user: await updateUser(db, actor.workspaceId, actor.id, input) });
  });

  router.get("/teams", allow(), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    // Everyone sees their own subtree; admins see the whole workspace (its roots' subtrees).
    const teams =
      actor.role === "admin"
        ? (await db.query(`SELECT id, parent_id AS "parentId", name, path, agent_channel AS "agentChannel" FROM teams WHERE workspace_id = $1 ORDER BY path`, [actor.workspaceId])).rows
        : await listSubtree(db, actor.teamPath);
    response.json({ teams });
  });

  router.post("/teams", allow("admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const input = body(request, createTeamRequest);
    response.status(201).json({ team: await createTeam(db, { ...input, workspaceId: actor.workspaceId }) });
  });

  router.patch("/teams/:id", allow("admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { id } = params(request, idParams);
    const input = body(request, renameTeamRequest);
    response.json({ team: await renameTeam(db, actor.workspaceId, id, input.name) });
  });

  router.get("/tokens", allow(), async (request: Request, response: Response) => {
    response.json({ tokens: await listApiTokens(db, actorOf(request).id) });
  });

  router.post("/tokens", allow(), async (request: Request, response: Response) => {
    const input = body(request, createTokenRequest);
    response.status(201).json({ token: await createApiToken(db, actorOf(request).id, input) });
  });

  router.delete("/tokens/:id", allow(), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    await revokeApiToken(db, actorOf(request).id, id);
    response.status(204).end();
  });

  router.get("/users/:id", allow("admin"), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    const user = await getUser(db, id);
    if (user.workspaceId !== actorOf(request).workspaceId) throw new NotFoundError("User not found.");
    response.json({ user });
  });

  return router;
}
