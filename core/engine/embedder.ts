/**
 * What turns texts into vectors. It lives with the engine, which implements it offline
 * (`local-embedder.ts`); drafting stores the vectors and adds other implementations (OpenAI).
 */
export interface Embedder {
  /** Identifies the model, e.g. "local-hash-384" or "openai:text-embedding-3-small@384". */
  readonly name: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<number[][]>;
}
