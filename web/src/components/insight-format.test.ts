import { describe, expect, it } from "vitest";
import { createFormatters } from "../i18n/format.ts";
import { createInsightFormatters } from "./insight-format.ts";
import { deltaArrow, deltaTone } from "./delta.tsx";
import { estimateTextWidth, fitText } from "./heat-grid.tsx";

describe("insight formatters", () => {
  const english = createInsightFormatters(createFormatters("en"));
  const chinese = createInsightFormatters(createFormatters("zh-CN"));

  it("formats rates with one decimal and signed deltas without clamping", () => {
    expect(english.percentPrecise(0.8333)).toBe("83.3%");
    expect(english.percentPrecise(null)).toBe("—");
    expect(english.signedPercent(0.031)).toBe("+3.1%");
    expect(english.signedPercent(-0.2)).toBe("-20%");
    expect(english.signedPercent(0)).toBe("0%");
  });

  it("formats durations in the unit that reads best", () => {
    expect(english.milliseconds(850)).toBe("850 ms");
    expect(english.milliseconds(0.163)).toBe("0.16 ms");
    expect(english.milliseconds(2.46)).toBe("2.5 ms");
    expect(english.milliseconds(0)).toBe("0 ms");
    expect(english.signedMilliseconds(-0.04)).toBe("-0.04 ms");
    expect(english.milliseconds(2345)).toBe("2.3 sec");
    expect(english.milliseconds(95_000)).toBe("95 sec");
    expect(english.signedMilliseconds(-1500)).toBe("-1.5 sec");
    expect(chinese.milliseconds(2345)).toBe("2.3秒");
  });

  it("formats counts and sub-cent costs", () => {
    expect(english.count(12345)).toBe("12,345");
    expect(english.usd(0.00042)).toBe("$0.0004");
    expect(english.usd(3)).toBe("$3.00");
    expect(english.signedUsd(0.01)).toBe("+$0.01");
    expect(english.usd(undefined)).toBe("—");
  });
});

describe("deltas", () => {
  it("says whether a change is for the better, depending on the metric", () => {
    expect(deltaTone(0.1, "higher")).toBe("good");
    expect(deltaTone(0.1, "lower")).toBe("bad");
    expect(deltaTone(-50, "lower")).toBe("good");
    expect(deltaTone(0, "higher")).toBe("flat");
    expect(deltaTone(null, "higher")).toBe("flat");
    expect([deltaArrow(1), deltaArrow(-1), deltaArrow(0)]).toEqual(["▲", "▼", "→"]);
  });
});

describe("heat-grid text fitting", () => {
  it("counts Chinese characters as twice as wide as Latin ones", () => {
    expect(estimateTextWidth("华南")).toBe(24);
    expect(estimateTextWidth("ab")).toBeCloseTo(13.92, 5);
    expect(fitText("North squad", 200)).toBe("North squad");
    const cut = fitText("华南区第一销售小组（深圳）", 60);
    expect(cut.endsWith("…")).toBe(true);
    expect(estimateTextWidth(cut)).toBeLessThanOrEqual(60);
  });
});
