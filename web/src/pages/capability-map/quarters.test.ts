import { describe, expect, it } from "vitest";
import { isQuarter, quarterOfDate, quarterOptions, shiftQuarter } from "./quarters.ts";

describe("quarters", () => {
  it("names the quarter of a date", () => {
    expect(quarterOfDate(new Date(2026, 0, 1))).toBe("2026-Q1");
    expect(quarterOfDate(new Date(2026, 5, 30))).toBe("2026-Q2");
    expect(quarterOfDate(new Date(2026, 11, 31))).toBe("2026-Q4");
  });

  it("shifts across year boundaries", () => {
    expect(shiftQuarter("2026-Q1", -1)).toBe("2025-Q4");
    expect(shiftQuarter("2025-Q4", 1)).toBe("2026-Q1");
    expect(shiftQuarter("2026-Q3", -8)).toBe("2024-Q3");
    expect(() => shiftQuarter("2026-Q5", 1)).toThrow();
  });

  it("offers the latest quarters first, keeping one asked for by a link", () => {
    expect(quarterOptions("2026-Q2", 3)).toEqual(["2026-Q2", "2026-Q1", "2025-Q4"]);
    expect(quarterOptions("2026-Q2", 2, "2024-Q1")).toEqual(["2026-Q2", "2026-Q1", "2024-Q1"]);
    expect(quarterOptions("2026-Q2", 2, "2026-Q1")).toEqual(["2026-Q2", "2026-Q1"]);
    expect(quarterOptions("2026-Q2", 1, "junk")).toEqual(["2026-Q2"]);
    expect(isQuarter("2026-Q4")).toBe(true);
    expect(isQuarter("2026Q4")).toBe(false);
  });
});
