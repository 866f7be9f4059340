/**
 * The tracer every process uses: traces in the database, and also sent to an OpenTelemetry collector
 * when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
 */
import type { Config } from "../config.ts";
import type { Db } from "../db/database.ts";
import { createOtlpExporter, parseOtlpHeaders } from "./otlp-export.ts";
import type { DatabaseTracer, TraceExporter, TraceLogger } from "./trace-store.ts";
import { createDatabaseTracer } from "./trace-store.ts";

export function createConfiguredTracer(
  config: Pick<Config, "OTEL_EXPORTER_OTLP_ENDPOINT" | "OTEL_EXPORTER_OTLP_HEADERS" | "OTEL_SERVICE_NAME">,
  db: Db,
  logger?: TraceLogger,
): DatabaseTracer & { close(): Promise<void> } {
  const exporter: TraceExporter | null = config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? createOtlpExporter({
        endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
        headers: parseOtlpHeaders(config.OTEL_EXPORTER_OTLP_HEADERS),
        serviceName: config.OTEL_SERVICE_NAME,
        logger,
      })
    : null;
  const tracer = createDatabaseTracer(db, { exporter, logger });
  return {
    ...tracer,
    async close() {
      await tracer.flush();
      await exporter?.close();
    },
  };
}
