import { Router } from "express";
import type { Request, Response } from "express";
import rateLimit, { ipKeyGenerator } from "express-rate-limit";
import { z } from "zod";
import { signIn, signOut } from "../../core/auth/sessions.ts";
import type { AppContext } from "../context.ts";
import { actorOf, sessionCookieName } from "../http/authenticate.ts";
import { sendError } from "../http/errors.ts";
import { body } from "../http/validate.ts";

export const signInRequest = z.object({
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(1024),
});

export function authRoutes(context: AppContext): Router {
  const router = Router();
  const secureCookie = (request: Request) =>
    context.config.COOKIE_SECURE === "auto" ? request.secure : context.config.COOKIE_SECURE === "true";

  const signInLimit = rateLimit({
    windowMs: 15 * 60_000,
    limit: context.config.LOGIN_RATE_LIMIT_PER_15_MINUTES,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    // Count per address and per account, so one address cannot try many accounts quickly either.
    keyGenerator: (request) => `${ipKeyGenerator(request.ip ?? "")}|${String(request.body?.email ?? "").toLowerCase()}`,
    handler: (request, response) => {
      sendError(request, response, 429, {
        code: "rate_limited",
        message: "Too many sign-in attempts. Wait 15 minutes and try again.",
        messageKey: "auth.sign_in_rate_limited",
      });
    },
  });

  router.post("/sign-in", signInLimit, async (request: Request, response: Response) => {
    const input = body(request, signInRequest);
    const session = await signIn(context.db, input.email, input.password, context.config.SESSION_TTL_HOURS);
    response.cookie(sessionCookieName, session.token, {
      httpOnly: true,
      sameSite: "lax",
      secure: secureCookie(request),
      expires: session.expiresAt,
      path: "/",
    });
    response.json({ user: session.actor, csrfToken: session.csrfToken });
  });

  router.post("/sign-out", async (request: Request, response: Response) => {
    if (request.sessionToken) await signOut(context.db, request.sessionToken);
    response.clearCookie(sessionCookieName, { path: "/" });
    response.status(204).end();
  });

  router.get("/me", (request: Request, response: Response) => {
    response.json({ user: actorOf(request), csrfToken: request.csrfToken ?? null });
  });

  return router;
}
