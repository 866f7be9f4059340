import { describe, expect, it } from "vitest";
import { navigationFor } from "./navigation.ts";

const labels = (role: Parameters<typeof navigationFor>[0]) =>
  navigationFor(role).map((screen) => screen.label);

describe("navigation by role", () => {
  it("shows reps only their recordings", () => {
    expect(labels("rep")).toEqual(["nav.recordings"]);
  });

  it("gives trainers review and prompt sets, managers the capability map, admins everything", () => {
    expect(labels("trainer")).toEqual(["nav.recordings", "nav.review", "nav.promptSets"]);
    expect(labels("manager")).toEqual(["nav.recordings", "nav.capabilityMap"]);
    expect(labels("admin")).toEqual([
      "nav.recordings",
      "nav.review",
      "nav.promptSets",
      "nav.capabilityMap",
      "nav.users",
    ]);
  });
});
