import { describe, expect, it } from "vitest";
import { createFormatters } from "../../i18n/format.ts";
import { createInsightFormatters } from "../../components/insight-format.ts";
import { displayedDelta, formatRunDelta, formatRunMetric } from "./run-metric-format.ts";

const format = createInsightFormatters(createFormatters("en"));

describe("run metric formats", () => {
  it("shows rates as percentages, latencies as durations and cost in dollars", () => {
    expect(formatRunMetric(format, "accuracy", 0.6667)).toBe("66.7%");
    expect(formatRunMetric(format, "latencyP95Ms", 1234)).toBe("1.2 sec");
    expect(formatRunMetric(format, "costUsd", 0.0123)).toBe("$0.0123");
    expect(formatRunDelta(format, "macroF1", -0.05)).toBe("-5%");
    expect(formatRunDelta(format, "latencyP50Ms", 120)).toBe("+120 ms");
  });

  it("treats a change too small to show as no change", () => {
    expect(displayedDelta("latencyP50Ms", -12.4)).toBe(-12);
    expect(displayedDelta("latencyP50Ms", 0.4)).toBe(0.4);
    expect(displayedDelta("latencyP50Ms", -0.163)).toBe(-0.16);
    expect(formatRunMetric(format, "latencyP50Ms", 0.163)).toBe("0.16 ms");
    expect(displayedDelta("accuracy", 0.0004)).toBe(0);
    expect(displayedDelta("accuracy", 0.0251)).toBe(0.025);
    expect(displayedDelta("costUsd", 0.00001)).toBe(0);
    expect(displayedDelta("errorRate", null)).toBeNull();
  });
});
