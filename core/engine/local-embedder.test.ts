import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { createLocalEmbedder } from "./local-embedder.ts";

function cosine(left: number[], right: number[]): number {
  return left.reduce((sum, value, index) => sum + value * right[index], 0);
}

describe("createLocalEmbedder", () => {
  it("returns unit vectors of the configured size, named after it", async () => {
    const embedder = createLocalEmbedder();
    expect(embedder.name).toBe("local-hash-384");
    expect(embedder.dimensions).toBe(384);
    const [vector] = await embedder.embed(["Can you send me the pricing sheet?"]);
    expect(vector).toHaveLength(384);
    expect(cosine(vector, vector)).toBeCloseTo(1, 10);
    const small = createLocalEmbedder({ dimensions: 64 });
    expect(small.name).toBe("local-hash-64");
    expect((await small.embed(["hello"]))[0]).toHaveLength(64);
  });

  it("is deterministic: the same text always gives the same vector", async () => {
    const texts = ["我们下周二再约时间", "Let's follow up next Tuesday"];
    expect(await createLocalEmbedder().embed(texts)).toEqual(
      await createLocalEmbedder().embed(texts),
    );
  });

  it("puts paraphrases closer than unrelated utterances, in English and in Chinese", async () => {
    const embedder = createLocalEmbedder();
    const [price, pricing, weather, 价格, 报价, 天气] = await embedder.embed([
      "how much does the premium plan cost",
      "what is the cost of the premium plan",
      "is it going to rain tomorrow",
      "高级版的价格是多少",
      "高级版多少钱，价格能优惠吗",
      "明天会下雨吗",
    ]);
    expect(cosine(price, pricing)).toBeGreaterThan(cosine(price, weather) + 0.2);
    expect(cosine(价格, 报价)).toBeGreaterThan(cosine(价格, 天气) + 0.2);
  });

  it("gives text without any word a zero vector, and handles an empty batch", async () => {
    const embedder = createLocalEmbedder({ dimensions: 32 });
    const [[empty], batch] = await Promise.all([embedder.embed(["...   "]), embedder.embed([])]);
    expect(empty.every((value) => value === 0)).toBe(true);
    expect(batch).toEqual([]);
  });

  it("rejects bad dimensions and non-string input", async () => {
    expect(() => createLocalEmbedder({ dimensions: 0 })).toThrow(ValidationError);
    expect(() => createLocalEmbedder({ dimensions: 3000 })).toThrow(ValidationError);
    expect(() => createLocalEmbedder({ dimensions: 12.5 })).toThrow(ValidationError);
    await expect(createLocalEmbedder().embed([42 as unknown as string])).rejects.toThrow(
      ValidationError,
    );
  });
});
