import { describe, expect, it } from "vitest";
import { navigationFor } from "./navigation.ts";

const labels = (role: Parameters<typeof navigationFor>[0]) =>
  navigationFor(role).map((screen) => screen.label);

describe("navigation by role", () => {
  it("shows reps only their recordings", () => {
    expect(labels("rep")).toEqual(["nav.recordings"]);
  });

  it("gives trainers review, the dashboard, prompt sets, agents and evals, managers the dashboard, agents, evals and capability map, admins everything", () => {
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
      "nav.users",
      "integrations.navigation",
      "connectors.navigation",
    ]);
  });
});
