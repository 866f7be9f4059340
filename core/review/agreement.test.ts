import { describe, expect, it } from "vitest";
import { cohensKappa } from "./agreement.ts";

describe("cohensKappa", () => {
  it("matches a hand-computed two-label case", () => {
    // 50 items: both yes 20, both no 15, A yes/B no 5, A no/B yes 10.
    // pₒ = 35/50 = 0.7; A yes 25/50, B yes 30/50 → pₑ = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.2/0.5 = 0.4.
    const pairs: Array<[string, string]> = [
      ...Array.from({ length: 20 }, () => ["yes", "yes"] as [string, string]),
      ...Array.from({ length: 15 }, () => ["no", "no"] as [string, string]),
      ...Array.from({ length: 5 }, () => ["yes", "no"] as [string, string]),
      ...Array.from({ length: 10 }, () => ["no", "yes"] as [string, string]),
    ];
    expect(cohensKappa(pairs)).toBeCloseTo(0.4, 10);
  });

  it("is 1 for perfect agreement, 0 at chance, negative below chance, null when empty", () => {
    expect(cohensKappa([["a", "a"], ["b", "b"], ["c", "c"]])).toBe(1);
    expect(cohensKappa([["a", "a"], ["a", "b"], ["b", "a"], ["b", "b"]])).toBeCloseTo(0, 10);
    expect(cohensKappa([["a", "b"], ["b", "a"]])).toBeCloseTo(-1, 10);
    expect(cohensKappa([])).toBeNull();
    expect(cohensKappa([["a", "a"], ["a", "a"]])).toBe(1);
  });
});
