import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("gives defaults that run on a fresh machine", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, EMBEDDER: "local" });
    // No Redis unless asked for: the embedded job transport needs nothing but the database.
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.STORAGE_DIR).toBe(`${config.DATA_DIR}/storage`);
  });

  it("treats empty values as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", PORT: "" }).PORT).toBe(3000);
  });

  it("stops with a message that names every bad variable", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "not a url", WORKER_CONCURRENCY: "0" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain("PORT");
    expect(message).toContain("DATABASE_URL");
    expect(message).toContain("WORKER_CONCURRENCY");
    expect(message).toContain(".env.example");
  });

  it("keeps traces 90 days by default, forever with 0, and refuses a bad retention or collector URL", () => {
    expect(loadConfig({}).TRACE_RETENTION_DAYS).toBe(90);
    expect(loadConfig({}).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(loadConfig({ TRACE_RETENTION_DAYS: "0" }).TRACE_RETENTION_DAYS).toBe(0);
    expect(() => loadConfig({ TRACE_RETENTION_DAYS: "-1" })).toThrow(/TRACE_RETENTION_DAYS/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it("accepts SECRET_KEY as another name for SECRETS_KEY, and refuses two different keys", () => {
    const key = Buffer.alloc(32, 7).toString("base64");
    expect(loadConfig({ SECRET_KEY: key }).SECRETS_KEY).toBe(key);
    expect(loadConfig({ SECRETS_KEY: key, SECRET_KEY: key }).SECRETS_KEY).toBe(key);
    expect(() => loadConfig({ SECRET_KEY: "short" })).toThrow(/SECRET_KEY/);
    expect(() => loadConfig({ SECRETS_KEY: key, SECRET_KEY: Buffer.alloc(32, 8).toString("base64") })).toThrow(/two names for one key/);
  });
});
