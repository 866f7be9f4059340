import { describe, expect, it } from "vitest";
import { navigationFor } from "./navigation.ts";

type Role = Parameters<typeof navigationFor>[0];
const labels = (role: Role) => navigationFor(role).links.map((screen) => screen.label);
const adminMenu = (role: Role) => navigationFor(role).adminMenu.map((screen) => screen.label);

describe("navigation by role", () => {
  it("shows reps only their recordings", () => {
    expect(labels("rep")).toEqual(["nav.recordings"]);
  });

  it("gives trainers review, the dashboard, prompt sets, agents and evals, managers the dashboard, agents, evals, capability map and integrations, admins everything", () => {
    expect(labels("trainer")).toEqual([
      "nav.recordings",
      "nav.review",
      "dashboard.navigation",
      "nav.promptSets",
      "agents.navigation",
      "evals.navigation",
      "traces.navigation",
      "taxonomy.navigation",
    ]);
    expect(labels("manager")).toEqual([
      "nav.recordings",
      "dashboard.navigation",
      "agents.navigation",
      "evals.navigation",
      "traces.navigation",
      "taxonomy.navigation",
      "nav.capabilityMap",
      "integrations.navigation",
    ]);
    expect(labels("admin")).toEqual([
      "nav.recordings",
      "nav.review",
      "dashboard.navigation",
      "nav.promptSets",
      "agents.navigation",
      "evals.navigation",
      "traces.navigation",
      "taxonomy.navigation",
      "nav.capabilityMap",
    ]);
    expect(adminMenu("admin")).toEqual([
      "nav.users",
      "integrations.navigation",
      "connectors.navigation",
      "nav.workspace",
    ]);
  });

  it("gives no Admin menu to anyone but admins: a manager keeps Integrations on the top line", () => {
    for (const role of ["rep", "trainer", "manager"] as const) expect(adminMenu(role)).toEqual([]);
    expect(labels("manager")).toContain("integrations.navigation");
  });
});
