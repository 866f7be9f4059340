/**
 * One place maps errors to HTTP: typed errors keep their status and code, JSON syntax errors and
 * oversized bodies get theirs, and anything else is a 500 that says nothing about internals.
 */
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import { CalibrateError } from "../../core/errors.ts";

const retryAfterSeconds = 5;

export function notFoundHandler(): RequestHandler {
  return (request, response) => {
    response.status(404).json({ error: { code: "not_found", message: `No route for ${request.method} ${request.path}` } });
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
      const body: Record<string, unknown> = { code: error.code, message: error.message };
      if (error.details !== undefined && error.status < 500) body.issues = error.details;
      response.status(error.status).json({ error: body });
      return;
    }
    // body-parser errors carry a status and a type.
    const status = (error as { status?: number }).status;
    const type = (error as { type?: string }).type;
    if (status === 413 || type === "entity.too.large") {
      response.status(413).json({ error: { code: "payload_too_large", message: "The request body is too large." } });
      return;
    }
    if (type === "entity.parse.failed") {
      response.status(400).json({ error: { code: "invalid_json", message: "The request body is not valid JSON." } });
      return;
    }
    if (status && status >= 400 && status < 500) {
      response.status(status).json({ error: { code: "bad_request", message: (error as Error).message } });
      return;
    }
    const reference = (request as { id?: unknown }).id;
    logger.error({ err: error, path: request.path, reference }, "Unhandled error");
    response.status(500).json({ error: { code: "internal", message: "Something went wrong on our side.", reference } });
  };
}
