/** The embedder the configuration asks for: the offline local one by default, or an OpenAI-compatible endpoint. */
import type { Config } from "../config.ts";
import type { Embedder } from "./embeddings.ts";
import { createLocalEmbedder } from "../engine/index.ts";
import { createOpenAiEmbedder } from "./openai-embedder.ts";

export function createConfiguredEmbedder(
  config: Pick<Config, "EMBEDDER" | "EMBEDDING_MODEL" | "EMBEDDING_DIMENSIONS" | "OPENAI_BASE_URL" | "OPENAI_API_KEY">,
): Embedder {
  if (config.EMBEDDER === "openai") {
    if (!config.OPENAI_BASE_URL) throw new Error("EMBEDDER=openai needs OPENAI_BASE_URL.");
    return createOpenAiEmbedder({
      baseUrl: config.OPENAI_BASE_URL,
      apiKey: config.OPENAI_API_KEY,
      model: config.EMBEDDING_MODEL,
      dimensions: config.EMBEDDING_DIMENSIONS,
    });
  }
  return createLocalEmbedder({ dimensions: config.EMBEDDING_DIMENSIONS });
}
