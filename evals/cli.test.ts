import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LabelEfficiencyPoint } from "../core/eval/label-efficiency.ts";
import { main } from "./cli.ts";
import { curveCsv, curveTable } from "./commands/curve.ts";
import { formatTable } from "./table.ts";

describe("the CLI's argument checks (no database needed)", () => {
  let stderr: string;
  beforeEach(() => {
    stderr = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  it("exits 2 with a reason for an unknown command, option or value", async () => {
    expect(await main(["evaluate"])).toBe(2);
    expect(stderr).toMatch(/Unknown command "evaluate"/);
    expect(await main(["run", "--dataset", "x", "--target", "local", "--concurency", "2"])).toBe(2);
    expect(stderr).toMatch(/concurency/);
    expect(await main(["run", "--target", "local"])).toBe(2);
    expect(stderr).toMatch(/--dataset is required/);
    expect(
      await main(["gate", "--dataset", "x", "--candidate", "sales-call@v2", "--margin", "-1"]),
    ).toBe(2);
    expect(
      await main(["gate", "--dataset", "x", "--candidate", "sales-call@v2", "--metric", "speed"]),
    ).toBe(2);
    expect(stderr).toMatch(/Unknown --metric "speed"/);
    expect(await main(["curve", "--dataset", "x", "--sizes", "1,0"])).toBe(2);
    expect(await main(["datasets", "import", "--public", "imdb"])).toBe(2);
    expect(stderr).toMatch(/choose clinc150, persuasion, crosswoz/);
    expect(await main(["datasets", "import", "--file", "x.txt", "--public", "clinc150"])).toBe(2);
    expect(await main(["datasets", "export", "--dataset", "x", "--split", "dev"])).toBe(2);
  });

  it("prints the usage for help, and exits 2 when no command is given", async () => {
    expect(await main(["help"])).toBe(0);
    expect(await main([])).toBe(2);
  });
});

describe("tables", () => {
  it("aligns Chinese labels by display width and right-aligns numbers", () => {
    const table = formatTable(
      ["label", "F1"],
      [
        ["价格异议", 0.5],
        ["pricing", null],
      ],
    );
    const lines = table.split("\n");
    expect(lines).toEqual(["label      F1", "--------  ---", "价格异议  0.5", "pricing     –"]);
  });
});

describe("curve output", () => {
  const points: LabelEfficiencyPoint[] = [
    {
      strategy: "random",
      labelsPerIntent: 1,
      totalLabels: 150,
      accuracyMean: 0.4,
      accuracyStd: 0.01,
      accuracies: [0.39, 0.41],
    },
    {
      strategy: "uncertainty",
      labelsPerIntent: 1,
      totalLabels: 150,
      accuracyMean: 0.4,
      accuracyStd: 0.01,
      accuracies: [0.39, 0.41],
    },
    {
      strategy: "random",
      labelsPerIntent: 5,
      totalLabels: 750,
      accuracyMean: 0.7,
      accuracyStd: null,
      accuracies: [0.7, 0.7],
    },
  ];

  it("writes one CSV row per point with every seed's accuracy", () => {
    expect(curveCsv(points).split("\n")).toEqual([
      "strategy,labels_per_intent,total_labels,accuracy_mean,accuracy_std,accuracy_seed_1,accuracy_seed_2",
      "random,1,150,0.400000,0.010000,0.390000,0.410000",
      "uncertainty,1,150,0.400000,0.010000,0.390000,0.410000",
      "random,5,750,0.700000,,0.700000,0.700000",
      "",
    ]);
  });

  it("puts the strategies side by side, one row per size", () => {
    const lines = curveTable(points).split("\n");
    expect(lines[0]).toMatch(/labels per intent\s+total labels\s+random\s+uncertainty/);
    expect(lines[2]).toMatch(/1\s+150\s+40\.0% ± 1\.0\s+40\.0% ± 1\.0/);
    expect(lines[3]).toMatch(/5\s+750\s+70\.0%\s+–/);
  });
});
