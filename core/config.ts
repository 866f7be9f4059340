/**
 * Configuration, parsed once at start-up from the environment. Every key has a default that makes
 * `npm start` work on a fresh machine; `.env.example` lists them all. A wrong value stops the
 * process with a message naming the variable (see `loadConfig`).
 */
import path from "node:path";
import { z } from "zod";

const booleanFromString = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

const optionalUrl = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .pipe(z.url().optional());

const secretKey = z
  .string()
  .refine((value) => Buffer.from(value, "base64").length === 32, "Must be 32 random bytes in base64 (openssl rand -base64 32).");

export const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** PostgreSQL connection string. Unset: embedded PGlite under DATA_DIR. */
  DATABASE_URL: optionalUrl.optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATA_DIR: z.string().default("./data"),
  /**
   * The eval CLI (`npm run eval`) talks to a running server instead of opening the database when
   * one serves DATA_DIR (found through DATA_DIR/server.json) or when CALIBRATE_URL names one; it
   * signs in with this personal API token (Settings → API tokens).
   */
  CALIBRATE_URL: optionalUrl.optional(),
  CALIBRATE_TOKEN: z.string().trim().optional(),
  /**
   * Redis for the BullMQ job transport (many workers on many machines). Unset: the embedded transport
   * runs jobs on the Postgres job rows, in the process (see README, "Scaling out").
   */
  REDIS_URL: optionalUrl.optional(),
  /** Embedded transport: the safety-net poll for new jobs (hand-overs wake workers at once anyway). */
  JOB_POLL_INTERVAL_MS: z.coerce.number().int().min(10).optional(),
  /** A running job whose worker shows no sign of life this long is handed to another worker. */
  JOB_STALLED_AFTER_MS: z.coerce.number().int().min(100).default(30_000),
  /** Prefix of every BullMQ key in Redis, so several installations (or test runs) can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default("calibrate"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Set when behind a reverse proxy, so rate limits and secure cookies see the client's address. */
  TRUST_PROXY: booleanFromString.default(false),
  /** `auto`: Secure cookies when the request came over HTTPS. */
  COOKIE_SECURE: z.enum(["auto", "true", "false"]).default("auto"),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 90).default(24 * 7),
  LOGIN_RATE_LIMIT_PER_15_MINUTES: z.coerce.number().int().positive().default(20),
  /** Where uploaded audio is kept (content-addressed). Defaults to DATA_DIR/storage. */
  STORAGE_DIR: z.string().optional(),
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(512 * 1024 * 1024),
  UPLOAD_MAX_DURATION_SECONDS: z.coerce.number().int().positive().default(4 * 60 * 60),
  /** Upload leases and staging files this old belong to a process that died mid-upload: the API sweeps them. */
  UPLOAD_ABANDONED_AFTER_MS: z.coerce.number().int().min(1000).default(15 * 60_000),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** How often the reconciler re-enqueues work whose job vanished from Redis. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  /** Jobs queued or active longer than this without an update are checked against Redis. */
  RECONCILE_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** How often workers refresh the capability-map rollup (incrementally). */
  ROLLUP_INTERVAL_MS: z.coerce.number().int().min(1000).default(10 * 60_000),
  /** OpenAI-compatible endpoint for drafting (LLM engine). Unset: the local engine drafts. */
  OPENAI_BASE_URL: optionalUrl.optional(),
  OPENAI_API_KEY: z.string().optional(),
  LLM_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  /**
   * `auto`: whisper.cpp when WHISPER_MODEL is set, else the OpenAI-compatible endpoint if configured,
   * else whisper.cpp with WHISPER_MODEL_NAME, downloaded into DATA_DIR/models on first use.
   */
  TRANSCRIBER: z.enum(["auto", "whisper-cpp", "openai"]).default("auto"),
  WHISPER_MODEL: z.string().optional(),
  /** The ggml model downloaded on first use when WHISPER_MODEL is unset (README: why `small`). */
  WHISPER_MODEL_NAME: z.string().trim().min(1).default("small"),
  /** A mirror serving the same ggml-*.bin names as huggingface.co/ggerganov/whisper.cpp. */
  WHISPER_MODEL_URL: optionalUrl.optional(),
  /** `auto`: the native build when built (npm run whisper:build), else the @napi-rs/whisper prebuilt. */
  WHISPER_ENGINE: z.enum(["auto", "native", "prebuilt"]).default("auto"),
  WHISPER_BINARY: z.string().optional(),
  TRANSCRIPTION_BASE_URL: optionalUrl.optional(),
  TRANSCRIPTION_API_KEY: z.string().optional(),
  TRANSCRIPTION_MODEL: z.string().default("whisper-1"),
  /** Unset: the system's ffmpeg/ffprobe on PATH, else the npm-bundled static builds. */
  FFMPEG_PATH: z.string().optional(),
  FFPROBE_PATH: z.string().optional(),
  /** Share of drafted intents labelled independently by two trainers, to measure agreement (kappa). */
  DOUBLE_LABEL_SHARE: z.coerce.number().min(0).max(1).default(0.1),
  /** `local`: deterministic offline embedder; `openai`: OPENAI_BASE_URL's /v1/embeddings. */
  EMBEDDER: z.enum(["local", "openai"]).default("local"),
  EMBEDDING_MODEL: z.string().default("text-embedding-3-small"),
  EMBEDDING_DIMENSIONS: z.coerce.number().int().min(8).max(4000).default(384),
  /**
   * 32 random bytes, base64: encrypts stored secrets (connector API keys, webhook secrets). Unset: a
   * key file created once under DATA_DIR. `SECRET_KEY` is accepted as another name for it.
   */
  SECRETS_KEY: secretKey.optional(),
  SECRET_KEY: secretKey.optional(),
  /** Agent traces older than this many days are deleted by a periodic sweep; 0 keeps them forever. */
  TRACE_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(90),
  /** An OpenTelemetry collector (OTLP/HTTP): finished traces are also sent to `{endpoint}/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .trim()
    .transform((value) => (value === "" ? undefined : value))
    .pipe(z.url({ protocol: /^https?$/, error: "Must be an http(s) URL, e.g. http://127.0.0.1:4318." }).optional())
    .optional(),
  /** Extra headers for the collector, `key=value,key2=value2` (the OpenTelemetry convention). */
  OTEL_EXPORTER_OTLP_HEADERS: z.string().optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).default("calibrate"),
  /** How long a signed inbound outcome stays acceptable (replay protection). */
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
});

export type Config = z.infer<typeof configSchema> & { STORAGE_DIR: string };

export class ConfigError extends Error {
  constructor(readonly issues: Array<{ variable: string; message: string }>) {
    super(
      "Invalid configuration:\n" +
        issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join("\n") +
        "\nSee .env.example for every variable and its default.",
    );
    this.name = "ConfigError";
  }
}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" so that `FOO=` in a .env file falls back to the default.
  const present = Object.fromEntries(
    Object.entries(environment).filter(([key, value]) => key in configSchema.shape && value !== ""),
  );
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? "(environment)"),
        message: issue.message,
      })),
    );
  }
  const config = parsed.data;
  if (config.SECRETS_KEY && config.SECRET_KEY && config.SECRETS_KEY !== config.SECRET_KEY) {
    throw new ConfigError([{ variable: "SECRET_KEY", message: "SECRET_KEY and SECRETS_KEY are two names for one key; set one, or both to the same value." }]);
  }
  return {
    ...config,
    SECRETS_KEY: config.SECRETS_KEY ?? config.SECRET_KEY,
    DATA_DIR: path.resolve(config.DATA_DIR),
    STORAGE_DIR: path.resolve(config.STORAGE_DIR ?? path.join(config.DATA_DIR, "storage")),
  };
}
