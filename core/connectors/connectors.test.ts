import { describe, expect, it } from "vitest";
import { apiKeyHint, createConnectorRequest, updateConnectorRequest } from "./connectors.ts";

describe("connector fields", () => {
  it("hints at a key with its first 3 and last 4 characters, and masks short keys entirely", () => {
    expect(apiKeyHint("sk-proj-abcdefghijklmnop1234")).toBe("sk-…1234");
    expect(apiKeyHint("abcdefghijkl")).toBe("abc…ijkl");
    expect(apiKeyHint("short-key")).toBe("••••");
    expect(apiKeyHint("")).toBeNull();
    expect(apiKeyHint(null)).toBeNull();
  });

  it("fills defaults, stores one spelling of the base URL, and refuses what cannot work", () => {
    expect(createConnectorRequest.parse({ name: "Ollama", baseUrl: "http://127.0.0.1:11434/v1/", defaultModel: "qwen2.5" })).toEqual({
      name: "Ollama",
      kind: "openai-compatible",
      baseUrl: "http://127.0.0.1:11434/v1",
      purposes: ["chat"],
      models: [],
      defaultModel: "qwen2.5",
      timeoutMs: 60_000,
      maxConcurrency: 4,
      priceInputPerMTokUsd: 0,
      priceOutputPerMTokUsd: 0,
      allowUnredacted: false,
      enabled: true,
    });
    const valid = { name: "x", baseUrl: "https://api.deepseek.com/v1", defaultModel: "deepseek-chat" };
    for (const bad of [
      { baseUrl: "file:///etc/passwd" },
      { baseUrl: "not a url" },
      { maxConcurrency: 0 },
      { maxConcurrency: 1.5 },
      { timeoutMs: 999 },
      { priceOutputPerMTokUsd: -0.01 },
      { purposes: ["chat", "images"] },
      { apiKey: "" },
      { kind: "anthropic" },
    ]) {
      expect(createConnectorRequest.safeParse({ ...valid, ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
    // An edit without a key leaves it alone; null removes it.
    expect(updateConnectorRequest.parse({ name: "y" })).toEqual({ name: "y" });
    expect(updateConnectorRequest.parse({ apiKey: null })).toEqual({ apiKey: null });
  });
});
