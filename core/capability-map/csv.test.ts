import { describe, expect, it } from "vitest";
import type { CapabilityMap } from "./capability-map.ts";
import { formatCapabilityMapCsv, formatField } from "./csv.ts";
import { emptyCounts, metricDeltas, summariseCell } from "./metrics.ts";

function mapWith(teamName: string): CapabilityMap {
  const now = summariseCell(
    { ...emptyCounts(), draftedItems: 4, decidedItems: 2, acceptedItems: 1, rejectedItems: 1 },
    { minimumDecidedItems: 1 },
  );
  const before = summariseCell(emptyCounts(), { minimumDecidedItems: 1 });
  return {
    quarter: "2026-Q2",
    previousQuarter: "2026-Q1",
    period: { from: "2026-04-01", to: "2026-06-30" },
    previousPeriod: { from: "2026-01-01", to: "2026-03-31" },
    timeZone: "UTC",
    minimumDecidedItems: 1,
    metrics: ["penetration"],
    teams: [
      { id: "r", name: "华东大区", parentId: null, depth: 0 },
      { id: "n", name: teamName, parentId: "r", depth: 1 },
    ],
    stages: ["demo"],
    cells: [
      {
        teamId: "n",
        stage: "demo",
        ...now,
        previous: before,
        delta: metricDeltas(now, before, ["penetration"]),
      },
    ],
    workspaceEval: null,
    previousWorkspaceEval: null,
    refreshedAt: null,
  };
}

describe("capability map CSV", () => {
  it("starts with a BOM, has one row per cell, and keeps Chinese text", () => {
    const csv = formatCapabilityMapCsv(mapWith("北区"));
    expect(csv.startsWith("\ufeffperiod,previous_period,team,")).toBe(true);
    const lines = csv.slice(1).split("\r\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    const header = lines[0].split(",");
    const row = lines[1].split(",");
    const field = (name: string) => row[header.indexOf(name)];
    expect(field("team")).toBe("华东大区 / 北区");
    expect(field("penetration")).toBe("0.25");
    expect(field("intervention_rate")).toBe("0.5");
    expect(field("intent_accuracy")).toBe("");
    expect(field("previous_penetration")).toBe("");
    expect(field("delta_penetration")).toBe("");
    expect(header).not.toContain("delta_intervention_rate");
  });

  it("quotes separators and defuses formulas", () => {
    expect(formatField('a,"b"')).toBe('"a,""b"""');
    expect(formatField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(formatField(-0.25)).toBe("-0.25");
    expect(formatField(null)).toBe("");
    const csv = formatCapabilityMapCsv(mapWith("=cmd|, x"));
    expect(csv).toContain('"华东大区 / =cmd|, x"');
  });
});
