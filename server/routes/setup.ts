/**
 * First-run setup: while the database has no users, whoever holds the one-time token that
 * `npm start` printed on the console may create the first admin. Afterwards the route refuses.
 */
import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { safeEqual, newSecret } from "../../core/auth/secrets.ts";
import { createTeam, defaultWorkspaceId } from "../../core/auth/teams.ts";
import { countUsers, createUser } from "../../core/auth/users.ts";
import { ConflictError, ForbiddenError } from "../../core/errors.ts";
import type { AppContext } from "../context.ts";
import { body } from "../http/validate.ts";

export interface SetupToken {
  value: string;
}

export function createSetupToken(): SetupToken {
  return { value: newSecret(18) };
}

export const setupRequest = z.object({
  token: z.string(),
  email: z.string().trim().max(320),
  displayName: z.string().trim().max(200).optional(),
  password: z.string().max(1024),
  teamName: z.string().trim().min(1).max(200).default("Head office"),
  locale: z.enum(["zh-CN", "en"]).optional(),
});

export function setupRoutes(context: AppContext, token: SetupToken | null): Router {
  const router = Router();
  router.get("/setup", async (_request: Request, response: Response) => {
    response.json({ needed: token !== null && (await countUsers(context.db)) === 0 });
  });
  router.post("/setup", async (request: Request, response: Response) => {
    const input = body(request, setupRequest);
    if (!token || !safeEqual(input.token, token.value)) throw new ForbiddenError("The setup token is wrong or has been used.");
    const user = await context.db.transaction(async (transaction) => {
      await transaction.query("LOCK TABLE users IN EXCLUSIVE MODE");
      if ((await countUsers(transaction)) > 0) throw new ConflictError("Calibrate is already set up; sign in instead.");
      const workspaceId = await defaultWorkspaceId(transaction);
      const team = await createTeam(transaction, { workspaceId, name: input.teamName });
      return createUser(transaction, { ...input, workspaceId, teamId: team.id, role: "admin" });
    });
    token = null;
    context.logger.info({ userId: user.id }, "First admin created through setup");
    response.status(201).json({ user });
  });
  return router;
}
