/**
 * Model connectors: the OpenAI-compatible endpoints an admin binds in the UI (issue 12). This file
 * is the contract the rest of Calibrate uses; `connectors.ts` stores them (API keys encrypted at
 * rest), `limiter.ts` enforces each connector's concurrency across every worker.
 */

export type ConnectorPurpose = "chat" | "embeddings" | "transcription";

/** A connector as anyone may see it: never the API key, only its hint (`sk-…last4`). */
export interface Connector {
  id: string;
  workspaceId: string;
  name: string;
  kind: "openai-compatible";
  /** Including `/v1`, e.g. `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  purposes: ConnectorPurpose[];
  /** Model names, as listed by `/v1/models` or typed by the admin. */
  models: string[];
  defaultModel: string;
  timeoutMs: number;
  /** Concurrent requests to this connector across all workers. */
  maxConcurrency: number;
  /** US dollars per million tokens, for the cost on drafts and traces. */
  priceInputPerMTokUsd: number;
  priceOutputPerMTokUsd: number;
  /** Default false: only redacted text is sent to it. */
  allowUnredacted: boolean;
  enabled: boolean;
  apiKeyHint: string | null;
  /** Created from OPENAI_BASE_URL / EMBEDDING_* / TRANSCRIPTION_* at start. */
  bootstrap: boolean;
}

/** Only inside the server and workers, for the call itself. */
export interface ConnectorWithKey extends Connector {
  apiKey: string;
}

/**
 * `stamp`: the workspace's connectors as a statement of the caller just saw them
 * (`connectorStampSql`); the directory may then answer from what it keeps under that stamp.
 */
export interface ConnectorLookup {
  stamp?: string;
}

export interface ConnectorDirectory {
  get(workspaceId: string, connectorId: string, options?: ConnectorLookup): Promise<ConnectorWithKey | null>;
  /** The enabled connector an agent uses when it names none: the bootstrap one for the purpose, else the oldest enabled. */
  defaultFor(workspaceId: string, purpose: ConnectorPurpose, options?: ConnectorLookup): Promise<ConnectorWithKey | null>;
}

/** Caps concurrent requests per connector across processes (database rows embedded, Redis with BullMQ). */
export interface ConnectorLimiter {
  acquire(connectorId: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>>;
}

export function costUsd(connector: Pick<Connector, "priceInputPerMTokUsd" | "priceOutputPerMTokUsd">, usage: { inputTokens: number; outputTokens: number }): number {
  const cost = (usage.inputTokens * connector.priceInputPerMTokUsd + usage.outputTokens * connector.priceOutputPerMTokUsd) / 1_000_000;
  return Math.round(cost * 1_000_000) / 1_000_000;
}
