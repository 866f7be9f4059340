/**
 * One place maps errors to HTTP: typed errors keep their status and code, JSON syntax errors and
 * oversized bodies get theirs, and anything else is a 500 that says nothing about internals.
 * Messages are said in the caller's language (`Accept-Language`, else the signed-in user's locale,
 * else English) from core/error-messages.ts; the `code` never changes with the language.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import type { ErrorLocale } from "../../core/error-messages.ts";
import { catalogueMessage, localiseError, pickErrorLocale, translateKnownMessage } from "../../core/error-messages.ts";
import { CalibrateError } from "../../core/errors.ts";

const retryAfterSeconds = 5;

export function requestLocale(request: Request): ErrorLocale {
  return pickErrorLocale(request.get("accept-language"), request.actor?.locale);
}

interface ErrorBody {
  code: string;
  message: string;
  messageKey?: string;
  messageParams?: Record<string, string | number>;
  issues?: unknown;
  reference?: unknown;
}

/** Sends `{ error: { code, message, detail?, issues?, reference? } }` in the caller's language. */
export function sendError(request: Request, response: Response, status: number, error: ErrorBody): void {
  const locale = requestLocale(request);
  const { message, detail } = localiseError(error, locale);
  const body: Record<string, unknown> = { code: error.code, message };
  if (detail !== undefined) body.detail = detail;
  if (error.issues !== undefined) body.issues = localiseIssues(error.issues, locale);
  if (error.reference !== undefined) body.reference = error.reference;
  response.status(status).json({ error: body });
}

function localiseIssues(issues: unknown, locale: ErrorLocale): unknown {
  if (!Array.isArray(issues)) return issues;
  return issues.map((issue: unknown) =>
    issue && typeof issue === "object" && typeof (issue as { message?: unknown }).message === "string"
      ? { ...issue, message: translateKnownMessage((issue as { message: string }).message, locale) }
      : issue,
  );
}

export function notFoundHandler(): RequestHandler {
  return (request, response) => {
    sendError(request, response, 404, {
      code: "not_found",
      message: catalogueMessage("route.not_found", "en", { method: request.method, path: request.path }),
      messageKey: "route.not_found",
      messageParams: { method: request.method, path: request.path },
    });
  };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, request, response, _next) => {
    if (response.headersSent) {
      response.end();
      return;
    }
    if (error instanceof CalibrateError) {
      if (error.status >= 500) logger.warn({ err: error, path: request.path }, error.message);
      // A dependency is down for a moment (the database restarting): tell clients when to come back.
      if (error.status === 503) response.setHeader("Retry-After", String(retryAfterSeconds));
      sendError(request, response, error.status, {
        code: error.code,
        message: error.message,
        messageKey: error.messageKey,
        messageParams: error.messageParams,
        issues: error.details !== undefined && error.status < 500 ? error.details : undefined,
      });
      return;
    }
    // body-parser errors carry a status and a type.
    const status = (error as { status?: number }).status;
    const type = (error as { type?: string }).type;
    if (status === 413 || type === "entity.too.large") {
      sendError(request, response, 413, { code: "payload_too_large", message: "The request body is too large." });
      return;
    }
    if (type === "entity.parse.failed") {
      sendError(request, response, 400, { code: "invalid_json", message: "The request body is not valid JSON." });
      return;
    }
    if (status && status >= 400 && status < 500) {
      sendError(request, response, status, { code: "bad_request", message: (error as Error).message });
      return;
    }
    const reference = (request as { id?: unknown }).id;
    logger.error({ err: error, path: request.path, reference }, "Unhandled error");
    sendError(request, response, 500, { code: "internal", message: "Something went wrong on our side.", messageKey: "internal", reference });
  };
}
