/**
 * The Express application: security headers, logging, authentication, the API routes, the built web
 * UI, and one error handler. Routes are thin: parse, call the core, map the result.
 */
import fs from "node:fs";
import path from "node:path";
import express from "express";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import { requestLogOptions } from "./http/request-log.ts";
import type { AppContext } from "./context.ts";
import { authenticate } from "./http/authenticate.ts";
import { errorHandler, notFoundHandler } from "./http/errors.ts";
import { agentRoutes } from "./routes/agents.ts";
import { authRoutes } from "./routes/auth.ts";
import { eventRoutes } from "./routes/events.ts";
import { healthRoutes } from "./routes/health.ts";
import { inboundOutcomeRoutes, outcomeRoutes } from "./routes/outcomes.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { connectorRoutes } from "./routes/connectors.ts";
import { capabilityMapRoutes } from "./routes/capability-map.ts";
import { capabilityMapOutcomeRoutes } from "./routes/capability-map-outcomes.ts";
import { workspaceRoutes } from "./routes/workspace.ts";
import { evalRoutes } from "./routes/evals.ts";
import { vocabularyRoutes } from "./routes/vocabulary.ts";
import { followUpRoutes } from "./routes/follow-up.ts";
import { promptSetRoutes } from "./routes/prompt-sets.ts";
import { recordingRoutes } from "./routes/recordings.ts";
import { reviewRoutes } from "./routes/review.ts";
import { setupRoutes } from "./routes/setup.ts";
import type { SetupToken } from "./routes/setup.ts";
import { traceRoutes } from "./routes/traces.ts";
import { userRoutes } from "./routes/users.ts";

export interface AppOptions {
  /** Directory of the built web UI; served at / when it exists. */
  webDirectory?: string;
  /** Present while the database has no users: lets the holder create the first admin. */
  setupToken?: SetupToken | null;
}

export function createApp(context: AppContext, options: AppOptions = {}): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", context.config.TRUST_PROXY);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          "default-src": ["'self'"],
          "img-src": ["'self'", "data:", "blob:"],
          "media-src": ["'self'", "blob:"],
          "style-src": ["'self'", "'unsafe-inline'"],
          "connect-src": ["'self'"],
          "upgrade-insecure-requests": null,
        },
      },
    }),
  );
  app.use(
    pinoHttp({
      logger: context.logger,
      autoLogging: { ignore: (request) => request.url === "/healthz" },
      customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? "error" : response.statusCode >= 400 ? "warn" : "info"),
      ...requestLogOptions(context.config.NODE_ENV),
    }),
  );
  app.use(healthRoutes(context));

  // Signed by HMAC over the raw body, so it must see the bytes before the JSON parser does.
  app.use("/api", inboundOutcomeRoutes(context));
  const api = express.Router();
  api.use(express.json({ limit: "2mb" }));
  api.use(authenticate(context.db));
  api.use("/auth", authRoutes(context));
  api.use(setupRoutes(context, options.setupToken ?? null));
  api.use(userRoutes(context));
  api.use(recordingRoutes(context));
  api.use(reviewRoutes(context));
  api.use(followUpRoutes(context));
  api.use(promptSetRoutes(context));
  api.use(agentRoutes(context));
  api.use(evalRoutes(context));
  api.use(vocabularyRoutes(context));
  api.use(capabilityMapRoutes(context));
  api.use(eventRoutes(context));
  api.use(webhookRoutes(context));
  api.use(connectorRoutes(context));
  api.use(outcomeRoutes(context));
  api.use(capabilityMapOutcomeRoutes(context));
  api.use(traceRoutes(context));
  api.use(workspaceRoutes(context));
  api.use(notFoundHandler());
  app.use("/api", api);

  if (options.webDirectory && fs.existsSync(path.join(options.webDirectory, "index.html"))) {
    const index = path.join(options.webDirectory, "index.html");
    app.use(express.static(options.webDirectory, { index: false, maxAge: "1h" }));
    // Client-side routes: any other GET that accepts HTML gets the app.
    app.get(/^\/(?!api\/|healthz).*/, (request, response, next) => {
      if (!request.accepts("html")) return next();
      response.sendFile(index);
    });
  }
  app.use(notFoundHandler());
  app.use(errorHandler(context.logger));
  return app;
}
