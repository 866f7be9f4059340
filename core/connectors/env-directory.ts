/**
 * A connector directory from the environment, until connectors are stored (connectors.ts): one
 * chat connector, "env-openai", from OPENAI_BASE_URL / OPENAI_API_KEY, or none. Its concurrency and
 * timeout are LLM_CONCURRENCY / LLM_TIMEOUT_MS; its prices are given (e.g. from a prompt manifest)
 * or 0, and then an agent's cost falls back to its prompt manifest's prices.
 */
import type { Config } from "../config.ts";
import type { ConnectorDirectory, ConnectorWithKey } from "./connector.ts";

export const envConnectorId = "env-openai";

export function envConnectorDirectory(
  config: Pick<Config, "OPENAI_BASE_URL" | "OPENAI_API_KEY" | "LLM_CONCURRENCY" | "LLM_TIMEOUT_MS">,
  options: { defaultModel?: string; priceInputPerMTokUsd?: number; priceOutputPerMTokUsd?: number } = {},
): ConnectorDirectory {
  const connectorFor = (workspaceId: string): ConnectorWithKey | null =>
    config.OPENAI_BASE_URL
      ? {
          id: envConnectorId,
          workspaceId,
          name: "OPENAI_BASE_URL",
          kind: "openai-compatible",
          baseUrl: config.OPENAI_BASE_URL,
          purposes: ["chat"],
          models: options.defaultModel ? [options.defaultModel] : [],
          defaultModel: options.defaultModel ?? "",
          timeoutMs: config.LLM_TIMEOUT_MS,
          maxConcurrency: config.LLM_CONCURRENCY,
          priceInputPerMTokUsd: options.priceInputPerMTokUsd ?? 0,
          priceOutputPerMTokUsd: options.priceOutputPerMTokUsd ?? 0,
          allowUnredacted: false,
          enabled: true,
          apiKeyHint: config.OPENAI_API_KEY ? `…${config.OPENAI_API_KEY.slice(-4)}` : null,
          bootstrap: true,
          apiKey: config.OPENAI_API_KEY ?? "",
        }
      : null;
  return {
    async get(workspaceId, connectorId) {
      return connectorId === envConnectorId ? connectorFor(workspaceId) : null;
    },
    async defaultFor(workspaceId, purpose) {
      return purpose === "chat" ? connectorFor(workspaceId) : null;
    },
  };
}
