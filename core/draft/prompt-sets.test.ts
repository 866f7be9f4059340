import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import {
  createPromptSetVersion,
  diffLines,
  diffPromptSetVersions,
  loadPromptSetLabelsFromDirectory,
  loadPromptSetsFromDirectory,
  renderTemplate,
  resolvePromptSetLabel,
  writePromptSetLabels,
  writePromptSetVersion,
  type PromptSetVersion,
} from "./prompt-sets.ts";

const repositoryPrompts = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../prompts",
);

const manifest = {
  description: "test",
  model: "test-model",
  temperature: 0.1,
  maxTokens: 1000,
  fewShot: { count: 3, sameStage: false },
  pricePer1kTokensUsd: { input: 0.001, output: 0.002 },
};

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "prompt-sets-"));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function writeVersionFiles(
  set: string,
  version: string,
  files: { manifest?: unknown; system?: string; user?: string },
) {
  const folder = path.join(directory, set, version);
  await mkdir(folder, { recursive: true });
  await writeFile(
    path.join(folder, "manifest.json"),
    typeof files.manifest === "string"
      ? files.manifest
      : JSON.stringify(files.manifest ?? manifest),
  );
  await writeFile(
    path.join(folder, "system.md"),
    files.system ?? "You analyse calls in {{language}}.\n",
  );
  await writeFile(
    path.join(folder, "user.md"),
    files.user ?? "{{fewShotExamples}}\n\n{{transcript}}\n",
  );
}

async function loadError(): Promise<ValidationError> {
  const error = await loadPromptSetsFromDirectory(directory).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("loadPromptSetsFromDirectory", () => {
  it("loads the repository's default set with production pointing at v1", async () => {
    const versions = await loadPromptSetsFromDirectory(repositoryPrompts);
    const labels = await loadPromptSetLabelsFromDirectory(repositoryPrompts);
    const production = resolvePromptSetLabel(versions, labels, "sales-call", "production");
    expect(production.version).toBe("v1");
    expect(production.manifest.structuredOutput).toBe("jsonSchema");
    expect(production.user).toContain("{{transcript}}");
    expect(production.system).not.toContain("{{transcript}}");
    expect(production.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("names the file and the field of an invalid manifest", async () => {
    await writeVersionFiles("sales-call", "v1", { manifest: { ...manifest, temperature: "warm" } });
    const error = await loadError();
    expect(error.message).toContain(path.join("sales-call", "v1", "manifest.json"));
    expect(error.message).toContain("temperature");
  });

  it("rejects unknown manifest fields so typos do not fall back to defaults", async () => {
    await writeVersionFiles("sales-call", "v1", { manifest: { ...manifest, maxToken: 5 } });
    expect((await loadError()).message).toContain("maxToken");
  });

  it("names a manifest that is not JSON", async () => {
    await writeVersionFiles("sales-call", "v1", { manifest: "{ model: oops" });
    expect((await loadError()).message).toMatch(/manifest\.json: not valid JSON/);
  });

  it("names a missing template file", async () => {
    await writeVersionFiles("sales-call", "v1", {});
    await rm(path.join(directory, "sales-call", "v1", "user.md"));
    expect((await loadError()).message).toMatch(/user\.md: file is missing/);
  });

  it("rejects unknown placeholders, naming the file and the placeholder", async () => {
    await writeVersionFiles("sales-call", "v1", { system: "Stage: {{custmerStage}}" });
    const error = await loadError();
    expect(error.message).toContain("system.md");
    expect(error.message).toContain("custmerStage");
  });

  it("keeps the transcript out of the system message and requires it once in the user message", async () => {
    await writeVersionFiles("sales-call", "v1", { system: "{{transcript}}" });
    expect((await loadError()).message).toMatch(
      /system\.md: \{\{transcript\}\} may only appear in user\.md/,
    );
    await rm(path.join(directory, "sales-call"), { recursive: true });
    await writeVersionFiles("sales-call", "v1", { user: "no transcript here" });
    expect((await loadError()).message).toMatch(
      /user\.md: \{\{transcript\}\} must appear exactly once/,
    );
  });
});

describe("labels", () => {
  it("rejects a label that points at a version that does not exist", async () => {
    await writeVersionFiles("sales-call", "v1", {});
    await writeFile(
      path.join(directory, "sales-call", "labels.json"),
      JSON.stringify({ production: "v9" }),
    );
    const error = await loadPromptSetLabelsFromDirectory(directory).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain("labels.json");
    expect((error as Error).message).toContain("production");
  });

  it("writes labels and resolves them; an unknown label is NotFound", async () => {
    await writeVersionFiles("sales-call", "v1", {});
    await writeVersionFiles("sales-call", "v2", {});
    await writePromptSetLabels(directory, "sales-call", { production: "v1", staging: "v2" });
    const versions = await loadPromptSetsFromDirectory(directory);
    const labels = await loadPromptSetLabelsFromDirectory(directory);
    expect(resolvePromptSetLabel(versions, labels, "sales-call", "staging").version).toBe("v2");
    expect(() => resolvePromptSetLabel(versions, labels, "sales-call", "canary")).toThrow(
      NotFoundError,
    );
  });
});

describe("content hash", () => {
  it("is equal for the same content under another name and with other line endings", async () => {
    await writeVersionFiles("sales-call", "v1", { system: "Line one\nLine two  \n" });
    await writeVersionFiles("sales-call", "v2", { system: "Line one\r\nLine two\r\n\r\n" });
    await writeVersionFiles("sales-call", "v3", { system: "Line one\nLine 2\n" });
    const [v1, v2, v3] = await loadPromptSetsFromDirectory(directory);
    expect(v1.contentHash).toBe(v2.contentHash);
    expect(v3.contentHash).not.toBe(v1.contentHash);
  });

  it("changes with the manifest", () => {
    const base = { set: "s", version: "v1", system: "x", user: "{{transcript}}" };
    const first = createPromptSetVersion({ ...base, manifest });
    const second = createPromptSetVersion({ ...base, manifest: { ...manifest, temperature: 0.7 } });
    expect(first.contentHash).not.toBe(second.contentHash);
  });
});

describe("writePromptSetVersion", () => {
  function version(overrides: Partial<PromptSetVersion> = {}): PromptSetVersion {
    return {
      ...createPromptSetVersion({
        set: "sales-call",
        version: "v7",
        manifest,
        system: "系统提示：分析 {{language}} 通话。",
        user: "{{transcript}}",
      }),
      ...overrides,
    };
  }

  it("writes files that load back to the same content", async () => {
    const written = version();
    const folder = await writePromptSetVersion(directory, written);
    expect(folder).toBe(path.join(directory, "sales-call", "v7"));
    const [loaded] = await loadPromptSetsFromDirectory(directory);
    expect(loaded).toEqual(written);
    expect(await readFile(path.join(folder, "system.md"), "utf8")).toBe(
      "系统提示：分析 {{language}} 通话。\n",
    );
  });

  it("is idempotent for the same content and refuses to overwrite different content", async () => {
    await writePromptSetVersion(directory, version());
    await writePromptSetVersion(directory, version());
    const changed = createPromptSetVersion({ ...version(), system: "changed" });
    await expect(writePromptSetVersion(directory, changed)).rejects.toBeInstanceOf(ConflictError);
    const [loaded] = await loadPromptSetsFromDirectory(directory);
    expect(loaded.system).toContain("系统提示");
  });

  it("validates before writing anything", async () => {
    const invalid = { ...version(), user: "no placeholder" };
    await expect(writePromptSetVersion(directory, invalid)).rejects.toBeInstanceOf(ValidationError);
    expect(await loadPromptSetsFromDirectory(directory)).toEqual([]);
  });
});

describe("renderTemplate", () => {
  it("replaces in one pass, so inserted text is never expanded again", () => {
    const rendered = renderTemplate("A {{ language }} / {{transcript}}", {
      language: "{{transcript}}",
      transcript: "T",
    });
    expect(rendered).toBe("A {{transcript}} / T");
  });

  it("fails on a placeholder without a value", () => {
    expect(() => renderTemplate("{{segmentCount}}", {})).toThrow(/segmentCount/);
  });
});

describe("diff", () => {
  it("finds added, removed and unchanged lines", () => {
    const lines = diffLines("a\nb\nc\nd", "a\nc\nx\nd");
    expect(lines.map((line) => `${line.kind[0]}${line.text}`)).toEqual([
      "sa",
      "rb",
      "sc",
      "ax",
      "sd",
    ]);
    expect(lines.find((line) => line.text === "x")).toEqual({
      kind: "added",
      text: "x",
      newLine: 3,
    });
    expect(lines.find((line) => line.text === "b")).toEqual({
      kind: "removed",
      text: "b",
      oldLine: 2,
    });
  });

  it("diffs each file of two versions", () => {
    const base = {
      set: "sales-call",
      version: "v1",
      manifest,
      system: "一\n二\n三",
      user: "{{transcript}}",
    };
    const a = createPromptSetVersion(base);
    const b = createPromptSetVersion({
      ...base,
      version: "v2",
      manifest: { ...manifest, temperature: 0.3 },
      system: "一\n二点五\n三",
    });
    const diff = diffPromptSetVersions(a, b);
    expect(diff.map((file) => [file.file, file.changed])).toEqual([
      ["manifest.json", true],
      ["system.md", true],
      ["user.md", false],
    ]);
    const system = diff[1].lines.filter((line) => line.kind !== "same");
    expect(system).toEqual([
      { kind: "removed", text: "二", oldLine: 2 },
      { kind: "added", text: "二点五", newLine: 2 },
    ]);
    expect(
      diff[0].lines.filter((line) => line.kind === "added").map((line) => line.text.trim()),
    ).toEqual(['"temperature": 0.3,']);
  });
});
