import { describe, expect, it } from "vitest";
import { wilsonInterval } from "./wilson.ts";

describe("wilsonInterval", () => {
  it("matches published values", () => {
    // 8 of 10: the textbook 95 % Wilson interval is 0.4902–0.9433.
    expect(wilsonInterval(8, 10)).toEqual({ low: 0.4902, high: 0.9433 });
    // 0 of 10: does not collapse to [0, 0]; the upper bound is 0.2775.
    expect(wilsonInterval(0, 10)).toEqual({ low: 0, high: 0.2775 });
    expect(wilsonInterval(10, 10)).toEqual({ low: 0.7225, high: 1 });
  });

  it("narrows as the count grows, and is null with no trials", () => {
    const small = wilsonInterval(5, 10)!;
    const large = wilsonInterval(500, 1000)!;
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});
