import { describe, expect, it } from "vitest";
import { chooseNewIntentThreshold, defaultNewIntentThreshold } from "./new-intents.ts";

const samples = (right: number[], wrong: number[]) => [
  ...right.map((confidence) => ({ confidence, right: true })),
  ...wrong.map((confidence) => ({ confidence, right: false })),
];

describe("the new-intent threshold", () => {
  it("keeps the documented default until the workspace has enough right and wrong drafts", () => {
    expect(chooseNewIntentThreshold([])).toEqual({ threshold: defaultNewIntentThreshold, source: "default", decided: 0 });
    // 30 decisions, but only 3 wrong ones: too few to place a threshold.
    expect(chooseNewIntentThreshold(samples(Array(27).fill(0.9), [0.1, 0.2, 0.3])).source).toBe("default");
  });

  it("separates the workspace's right drafts from its wrong ones", () => {
    const right = Array.from({ length: 15 }, (_, index) => 0.7 + index * 0.01);
    const wrong = Array.from({ length: 10 }, (_, index) => 0.3 + index * 0.02);
    const chosen = chooseNewIntentThreshold(samples(right, wrong));
    expect(chosen.source).toBe("decisions");
    expect(chosen.decided).toBe(25);
    // Everything above the wrong drafts (≤ 0.48) and at most the lowest right one (0.70).
    expect(chosen.threshold).toBeGreaterThan(0.48);
    expect(chosen.threshold).toBeLessThanOrEqual(0.7);
  });
});
