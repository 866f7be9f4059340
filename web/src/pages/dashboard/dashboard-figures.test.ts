import { describe, expect, it } from "vitest";
import type { TrainerFigures } from "../review/review-types.ts";
import {
  dailySeries,
  daysBetween,
  isIsoDay,
  lastDays,
  requestRange,
  teamFigures,
} from "./dashboard-figures.ts";

const trainer = (overrides: Partial<TrainerFigures>): TrainerFigures => ({
  userId: "u",
  name: "Trainer",
  teamName: "North",
  decisions: 0,
  decisionsPerDay: 0,
  overrideRate: null,
  rejectRate: null,
  medianDecisionMs: null,
  kappa: null,
  kappaItems: 0,
  ...overrides,
});

describe("dashboard figures", () => {
  it("spans inclusive UTC days, across month ends", () => {
    expect(daysBetween("2025-02-27", "2025-03-02")).toEqual([
      "2025-02-27",
      "2025-02-28",
      "2025-03-01",
      "2025-03-02",
    ]);
    expect(daysBetween("2025-03-02", "2025-03-01")).toEqual([]);
    expect(lastDays(7, new Date("2025-03-10T23:30:00Z"))).toEqual({
      from: "2025-03-04",
      to: "2025-03-10",
    });
    expect(requestRange("2025-03-04", "2025-03-10")).toEqual({
      from: "2025-03-04T00:00:00.000Z",
      to: "2025-03-11T00:00:00.000Z",
    });
    expect(isIsoDay("2025-02-30x")).toBe(false);
    expect(isIsoDay("2025-02-03")).toBe(true);
  });

  it("fills empty days with zero and sums the chosen trainers", () => {
    const daily = [
      { day: "2025-03-01", userId: "a", decisions: 4 },
      { day: "2025-03-01", userId: "b", decisions: 1 },
      { day: "2025-03-03", userId: "a", decisions: 2 },
    ];
    const days = daysBetween("2025-03-01", "2025-03-03");
    expect(dailySeries(daily, days)).toEqual([5, 0, 2]);
    expect(dailySeries(daily, days, new Set(["b"]))).toEqual([1, 0, 0]);
  });

  it("rolls trainers up into teams with decision-weighted rates and ranges where a median cannot be combined", () => {
    const teams = teamFigures([
      trainer({
        userId: "a",
        decisions: 30,
        decisionsPerDay: 1,
        overrideRate: 0.1,
        rejectRate: 0,
        medianDecisionMs: 4_000,
        kappa: 0.8,
        kappaItems: 12,
      }),
      trainer({
        userId: "b",
        decisions: 10,
        decisionsPerDay: 0.5,
        overrideRate: 0.5,
        rejectRate: 0.2,
        medianDecisionMs: 9_000,
        kappa: null,
        kappaItems: 0,
      }),
      trainer({
        userId: "c",
        teamName: "South",
        decisions: 5,
        decisionsPerDay: 0.2,
        overrideRate: 0,
        rejectRate: 0,
        medianDecisionMs: 2_000,
      }),
    ]);
    expect(teams.map((team) => team.teamName)).toEqual(["North", "South"]);
    const [north] = teams;
    expect(north.decisions).toBe(40);
    expect(north.decisionsPerDay).toBeCloseTo(1.5);
    expect(north.overrideRate).toBeCloseTo((0.1 * 30 + 0.5 * 10) / 40);
    expect(north.rejectRate).toBeCloseTo(0.05);
    expect(north.medianDecisionMs).toEqual({ low: 4_000, high: 9_000 });
    expect(north.kappa).toEqual({ low: 0.8, high: 0.8 });
    expect(north.kappaItems).toBe(12);
    expect(teams[1].kappa).toBeNull();
  });
});
