/** Shapes of the connector API (server/routes/connectors.ts), derived from core/connectors/ (dates as strings). */
import type { ConnectorAuditEntry as ServerAuditEntry, ConnectorListing } from "../../../../core/connectors/connectors.ts";
import type { ConnectorPurpose } from "../../../../core/connectors/connector.ts";
import type { ConnectorTestResult, ModelListResult } from "../../../../core/connectors/test-connection.ts";

export type { ConnectorPurpose, ConnectorTestResult, ModelListResult };
export const connectorPurposes: ConnectorPurpose[] = ["chat", "embeddings", "transcription"];

export type Connector = Omit<ConnectorListing, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string };
export type ConnectorAuditEntry = Omit<ServerAuditEntry, "at"> & { at: string };

/** Providers whose OpenAI-compatible base URL the form fills in; the admin can still edit it. */
export const connectorPresets = [
  { id: "openai", baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini" },
  { id: "deepseek", baseUrl: "https://api.deepseek.com/v1", model: "deepseek-chat" },
  { id: "dashscope", baseUrl: "https://dashscope.aliyuncs.com/compatible-mode/v1", model: "qwen-plus" },
  { id: "moonshot", baseUrl: "https://api.moonshot.cn/v1", model: "moonshot-v1-8k" },
  { id: "ollama", baseUrl: "http://127.0.0.1:11434/v1", model: "qwen2.5:7b" },
  { id: "vllm", baseUrl: "http://127.0.0.1:8000/v1", model: "" },
  { id: "localai", baseUrl: "http://127.0.0.1:8080/v1", model: "" },
  { id: "custom", baseUrl: "", model: "" },
] as const;
export type ConnectorPresetId = (typeof connectorPresets)[number]["id"];
