import { pino } from "pino";
import type { Logger } from "pino";
import type { Config } from "../core/config.ts";

export function createLogger(config: Pick<Config, "LOG_LEVEL">, name = "calibrate"): Logger {
  return pino({
    name,
    level: config.LOG_LEVEL,
    // Never log secrets, even by accident.
    redact: ["req.headers.cookie", "req.headers.authorization", "password", "*.password", "token", "*.token", "apiKey", "*.apiKey"],
  });
}
