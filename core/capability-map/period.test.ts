import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import {
  parseQuarter,
  periodDays,
  periodSegments,
  previousQuarter,
  quarterOf,
  resolvePeriods,
  todayIn,
} from "./period.ts";

describe("quarters", () => {
  it("spans the quarter's calendar days, both ends included", () => {
    expect(parseQuarter("2026-Q1")).toEqual({
      from: "2026-01-01",
      to: "2026-03-31",
      quarter: "2026-Q1",
    });
    expect(parseQuarter("2026-Q3")).toEqual({
      from: "2026-07-01",
      to: "2026-09-30",
      quarter: "2026-Q3",
    });
    expect(parseQuarter("2024-Q1").to).toBe("2024-03-31");
    expect(periodDays(parseQuarter("2024-Q1"))).toBe(91); // a leap year's February
    expect(periodDays(parseQuarter("2025-Q1"))).toBe(90);
  });

  it("steps back across the year boundary", () => {
    expect(previousQuarter("2026-Q1")).toBe("2025-Q4");
    expect(previousQuarter("2026-Q3")).toBe("2026-Q2");
    expect(quarterOf("2026-12-31")).toBe("2026-Q4");
    expect(quarterOf("2026-04-01")).toBe("2026-Q2");
  });

  it("rejects what is not a quarter", () => {
    expect(() => parseQuarter("2026-Q5")).toThrow(ValidationError);
    expect(() => parseQuarter("2026Q1")).toThrow(/2026-Q3/);
  });
});

describe("resolvePeriods", () => {
  it("defaults to the quarter containing today, compared with the one before", () => {
    const { current, previous } = resolvePeriods({}, "2026-11-27");
    expect(current.quarter).toBe("2026-Q4");
    expect(previous).toEqual({ from: "2026-07-01", to: "2026-09-30", quarter: "2026-Q3" });
  });

  it("compares a custom range with the same number of days just before it", () => {
    const { current, previous } = resolvePeriods(
      { from: "2026-03-01", to: "2026-03-10" },
      "2026-11-27",
    );
    expect(current).toEqual({ from: "2026-03-01", to: "2026-03-10", quarter: null });
    expect(previous).toEqual({ from: "2026-02-19", to: "2026-02-28", quarter: null });
    expect(periodDays(previous)).toBe(periodDays(current));
  });

  it("labels a custom range that is exactly a quarter", () => {
    const { current, previous } = resolvePeriods(
      { from: "2026-04-01", to: "2026-06-30" },
      "2026-11-27",
    );
    expect(current.quarter).toBe("2026-Q2");
    // 91 days before 2026-04-01 is not exactly Q1 (90 days), so it is a plain range.
    expect(previous).toEqual({ from: "2025-12-31", to: "2026-03-31", quarter: null });
  });

  it("rejects mixed, half, reversed, impossible and overlong ranges", () => {
    expect(() =>
      resolvePeriods({ quarter: "2026-Q1", from: "2026-01-01", to: "2026-01-02" }, "2026-11-27"),
    ).toThrow(/not both/);
    expect(() => resolvePeriods({ from: "2026-01-01" }, "2026-11-27")).toThrow(/both from and to/);
    expect(() => resolvePeriods({ from: "2026-02-01", to: "2026-01-01" }, "2026-11-27")).toThrow(
      /before it starts/,
    );
    expect(() => resolvePeriods({ from: "2026-02-30", to: "2026-03-01" }, "2026-11-27")).toThrow(
      /calendar date/,
    );
    expect(() => resolvePeriods({ from: "2020-01-01", to: "2026-01-01" }, "2026-11-27")).toThrow(
      /at most/,
    );
  });
});

describe("periodSegments", () => {
  it("reads a quarter as one stretch of whole months", () => {
    expect(periodSegments(parseQuarter("2026-Q3"))).toEqual([
      { grain: "month", from: "2026-07-01", to: "2026-09-01" },
    ]);
  });

  it("reads whole months monthly and the edges daily", () => {
    expect(periodSegments({ from: "2026-01-15", to: "2026-04-10", quarter: null })).toEqual([
      { grain: "day", from: "2026-01-15", to: "2026-01-31" },
      { grain: "month", from: "2026-02-01", to: "2026-03-01" },
      { grain: "day", from: "2026-04-01", to: "2026-04-10" },
    ]);
    expect(periodSegments({ from: "2026-02-01", to: "2026-02-28", quarter: null })).toEqual([
      { grain: "month", from: "2026-02-01", to: "2026-02-01" },
    ]);
    expect(periodSegments({ from: "2025-12-31", to: "2026-03-31", quarter: null })).toEqual([
      { grain: "day", from: "2025-12-31", to: "2025-12-31" },
      { grain: "month", from: "2026-01-01", to: "2026-03-01" },
    ]);
  });

  it("reads a range inside one month, or across two partial months, daily", () => {
    expect(periodSegments({ from: "2026-03-02", to: "2026-03-31", quarter: null })).toEqual([
      { grain: "day", from: "2026-03-02", to: "2026-03-31" },
    ]);
    expect(periodSegments({ from: "2026-03-20", to: "2026-04-10", quarter: null })).toEqual([
      { grain: "day", from: "2026-03-20", to: "2026-04-10" },
    ]);
  });
});

describe("todayIn", () => {
  it("reads the calendar date in the given zone", () => {
    const instant = new Date("2026-03-31T20:00:00Z");
    expect(todayIn("UTC", instant)).toBe("2026-03-31");
    expect(todayIn("Asia/Shanghai", instant)).toBe("2026-04-01");
  });
});
