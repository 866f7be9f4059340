import { pino } from "pino";
import type { DestinationStream, Logger } from "pino";
import type { Config } from "../core/config.ts";

/** `destination`: where the lines go (default stdout); tests capture them to assert what is never logged. */
export function createLogger(config: Pick<Config, "LOG_LEVEL">, name = "calibrate", destination?: DestinationStream): Logger {
  const options = {
    name,
    level: config.LOG_LEVEL,
    // Never log secrets, even by accident.
    redact: ["req.headers.cookie", "req.headers.authorization", "password", "*.password", "token", "*.token", "apiKey", "*.apiKey"],
  };
  return destination ? pino(options, destination) : pino(options);
}
