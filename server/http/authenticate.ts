/**
 * Who is asking: a session cookie (browsers) or a personal API token in `Authorization: Bearer`
 * (scripts, CLI). Cookie-authenticated requests that change state must carry the session's CSRF
 * token in `X-CSRF-Token`; token-authenticated ones need not (a browser never sends them by itself).
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { parse as parseCookies } from "cookie";
import type { Actor, Role } from "../../core/auth/actor.ts";
import { requireRole } from "../../core/auth/actor.ts";
import { safeEqual } from "../../core/auth/secrets.ts";
import { resolveApiToken, resolveSession } from "../../core/auth/sessions.ts";
import type { Db } from "../../core/db/database.ts";
import { ForbiddenError, UnauthorizedError } from "../../core/errors.ts";

export const sessionCookieName = "calibrate_session";
const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

declare module "express-serve-static-core" {
  interface Request {
    actor?: Actor;
    sessionToken?: string;
    csrfToken?: string;
  }
}

export function sessionTokenOf(request: Request): string | undefined {
  const header = request.headers.cookie;
  return header ? parseCookies(header)[sessionCookieName] : undefined;
}

/** Resolves the caller if there is one; routes that need one use `requireActor`. */
export function authenticate(db: Db): RequestHandler {
  return async (request: Request, _response: Response, next: NextFunction) => {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith("Bearer ")) {
      const actor = await resolveApiToken(db, authorization.slice("Bearer ".length).trim());
      if (!actor) throw new UnauthorizedError("The API token is invalid, expired or revoked.", undefined, { key: "auth.invalid_token" });
      request.actor = actor;
      return next();
    }
    const token = sessionTokenOf(request);
    if (token) {
      const session = await resolveSession(db, token);
      if (session) {
        if (!safeMethods.has(request.method)) {
          const sent = request.get("x-csrf-token") ?? "";
          if (!safeEqual(sent, session.csrfToken)) {
            throw new ForbiddenError("Missing or wrong X-CSRF-Token header; reload the page and try again.", undefined, { key: "auth.csrf" });
          }
        }
        request.actor = session.actor;
        request.sessionToken = token;
        request.csrfToken = session.csrfToken;
      }
    }
    next();
  };
}

export function actorOf(request: Request): Actor {
  if (!request.actor) throw new UnauthorizedError("Sign in first.", undefined, { key: "auth.sign_in_first" });
  return request.actor;
}

/** Route guard: the caller must be signed in and have one of the roles. */
export function allow(...roles: Role[]): RequestHandler {
  return (request, _response, next) => {
    const actor = actorOf(request);
    if (roles.length > 0) requireRole(actor, ...roles);
    next();
  };
}
