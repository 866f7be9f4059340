import { describe, expect, it } from "vitest";
import { pathIds, rollUpSubtrees, teamLabels, toMapTeams } from "./team-tree.ts";

const teams = [
  { id: "s", name: "South", parentId: "r", path: "/r/s/" },
  { id: "r", name: "East", parentId: null, path: "/r/" },
  { id: "n", name: "North", parentId: "r", path: "/r/n/" },
  { id: "c", name: "Cell", parentId: "n", path: "/r/n/c/" },
];

describe("team tree", () => {
  it("reads ids from a path, root first", () => {
    expect(pathIds("/r/n/c/")).toEqual(["r", "n", "c"]);
  });

  it("lists each team before its subtree, siblings by name, with depth from the top shown", () => {
    expect(toMapTeams(teams).map((team) => [team.id, team.depth])).toEqual([
      ["r", 0],
      ["n", 1],
      ["c", 2],
      ["s", 1],
    ]);
    expect(
      toMapTeams(teams.filter((team) => team.id !== "r")).map((team) => [team.id, team.depth]),
    ).toEqual([
      ["n", 0],
      ["c", 1],
      ["s", 0],
    ]);
  });

  it("adds each row to its own team and every visible ancestor", () => {
    const rows = [
      { teamId: "c", value: 1 },
      { teamId: "n", value: 10 },
      { teamId: "s", value: 100 },
      { teamId: "elsewhere", value: 1000 },
    ];
    const paths = new Map(teams.map((team) => [team.id, team.path]));
    const totals = new Map<string, number>();
    rollUpSubtrees(rows, paths, new Set(["r", "n", "c", "s"]), (teamId, row) =>
      totals.set(teamId, (totals.get(teamId) ?? 0) + row.value),
    );
    expect(Object.fromEntries(totals)).toEqual({ r: 111, n: 11, c: 1, s: 100 });

    const managerTotals = new Map<string, number>();
    rollUpSubtrees(rows, paths, new Set(["n", "c"]), (teamId, row) =>
      managerTotals.set(teamId, (managerTotals.get(teamId) ?? 0) + row.value),
    );
    expect(Object.fromEntries(managerTotals)).toEqual({ n: 11, c: 1 });
  });

  it("labels teams with their chain of names", () => {
    expect(teamLabels(toMapTeams(teams)).get("c")).toBe("East / North / Cell");
  });
});
