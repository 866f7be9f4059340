/**
 * The workspace's profile: the industry and products an admin declares at setup, which the day-one
 * defaults use (talk tracks are offered only when written for this industry or for any).
 * Everyone signed in may read it; only an admin may change it.
 */
import { Router } from "express";
import type { Request, Response } from "express";
import { industries, updateWorkspaceProfile, workspaceProfile, workspaceProfileSchema } from "../../core/draft/workspace-profile.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { body } from "../http/validate.ts";

export function workspaceRoutes(context: AppContext): Router {
  const router = Router();
  const { db } = context;

  router.get("/workspace/profile", allow(), async (request: Request, response: Response) => {
    response.json({ profile: await workspaceProfile(db, actorOf(request).workspaceId), industries });
  });

  router.put("/workspace/profile", allow("admin"), async (request: Request, response: Response) => {
    response.json({ profile: await updateWorkspaceProfile(db, actorOf(request).workspaceId, body(request, workspaceProfileSchema)), industries });
  });

  return router;
}
