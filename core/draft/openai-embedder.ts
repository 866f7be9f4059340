/**
 * Embeddings from an OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, LocalAI, vLLM, …).
 * Texts are redacted transcript text: nothing unredacted is ever sent.
 */
import { RateLimitedError, TransientError, UnprocessableError } from "../errors.ts";
import type { Embedder } from "./embeddings.ts";

export function createOpenAiEmbedder(options: {
  baseUrl: string;
  apiKey?: string;
  model: string;
  dimensions: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}): Embedder {
  const endpoint = `${options.baseUrl.replace(/\/+$/, "")}/embeddings`;
  const request = options.fetch ?? fetch;
  return {
    name: `openai:${options.model}@${options.dimensions}`,
    dimensions: options.dimensions,
    async embed(texts) {
      if (texts.length === 0) return [];
      let response: Response;
      try {
        response = await request(endpoint, {
          method: "POST",
          headers: { "content-type": "application/json", ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
          body: JSON.stringify({ model: options.model, input: texts, dimensions: options.dimensions, encoding_format: "float" }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
        });
      } catch (error) {
        throw new TransientError(`The embeddings endpoint is unreachable: ${(error as Error).message}`);
      }
      if (response.status === 429) throw new RateLimitedError("The embeddings endpoint is rate-limiting us.");
      if (response.status >= 500) throw new TransientError(`The embeddings endpoint answered ${response.status}.`);
      if (!response.ok) throw new UnprocessableError(`The embeddings endpoint refused the request (${response.status}): ${(await response.text()).slice(0, 300)}`);
      const body = (await response.json()) as { data?: Array<{ index: number; embedding: number[] }> };
      const data = [...(body.data ?? [])].sort((a, b) => a.index - b.index);
      if (data.length !== texts.length || data.some((item) => item.embedding.length !== options.dimensions)) {
        throw new UnprocessableError(`The embeddings endpoint returned ${data.length} vectors of the wrong size; expected ${texts.length} × ${options.dimensions}.`);
      }
      return data.map((item) => item.embedding);
    },
  };
}
