/**
 * Prompt sets as files: `prompts/<set>/<version>/{manifest.json,system.md,user.md}` plus
 * `prompts/<set>/labels.json` naming the `production` / `staging` version. This module is
 * file-level and pure (no database): it loads, validates, hashes, diffs and writes versions.
 * The database keeps versions immutable and moves labels; it imports versions from here and
 * exports them back with `writePromptSetVersion`.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";

export const promptSetManifestSchema = z.strictObject({
  description: z.string().default(""),
  /** Model name sent to the OpenAI-compatible endpoint. */
  model: z.string().min(1),
  temperature: z.number().min(0).max(2),
  maxTokens: z.number().int().positive(),
  fewShot: z.strictObject({
    /** How many examples to render into the prompt at most. */
    count: z.number().int().min(0).max(50),
    /** Only use examples from the call's customer stage (when the call has one). */
    sameStage: z.boolean(),
  }),
  /** Prices in US dollars per 1,000 tokens, for cost estimates on every draft. */
  pricePer1kTokensUsd: z.strictObject({
    input: z.number().min(0),
    output: z.number().min(0),
  }),
  /**
   * How structured output is requested: `jsonSchema` sends `response_format: json_schema`,
   * `functionCalling` forces a tool call. Some OpenAI-compatible servers only support one.
   */
  structuredOutput: z.enum(["jsonSchema", "functionCalling"]).default("jsonSchema"),
});
export type PromptSetManifest = z.infer<typeof promptSetManifestSchema>;

export const promptSetLabelsSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9-]*$/, "label must be lowercase kebab-case"),
  z.string().min(1),
);
/** Label (`production`, `staging`, …) → version name. */
export type PromptSetLabels = z.infer<typeof promptSetLabelsSchema>;

export interface PromptSetVersion {
  set: string;
  version: string;
  manifest: PromptSetManifest;
  /** `system.md` template. */
  system: string;
  /** `user.md` template. */
  user: string;
  /** sha256 over the normalised manifest and templates (not the names), so copies match. */
  contentHash: string;
}

export const promptSetNamePattern = /^[a-z0-9][a-z0-9-]*$/;
export const promptSetVersionNamePattern = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Placeholders a template may use. Unknown ones are rejected at load time, so a typo fails
 * when the set is imported rather than silently sending `{{trasncript}}` to a model.
 */
export const promptPlaceholders = [
  "language",
  "customerStage",
  "intentTaxonomy",
  "actionCatalogue",
  "fewShotExamples",
  "segmentCount",
  "transcript",
  // For agents that build on another agent's output (e.g. the follow-up e-mail on the action items).
  "actionItems",
  "callDate",
  // The workspace's declared industry and products, so a model drafts for what the team sells.
  "workspaceProfile",
] as const;
export type PromptPlaceholder = (typeof promptPlaceholders)[number];

const placeholderPattern = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

export function listTemplatePlaceholders(template: string): string[] {
  return [...template.matchAll(placeholderPattern)].map((match) => match[1]);
}

/**
 * Replaces `{{name}}` in one pass. Values are inserted verbatim and never re-scanned, so a
 * transcript that contains `{{transcript}}` stays text. No expressions, no eval.
 */
export function renderTemplate(
  template: string,
  values: Partial<Record<PromptPlaceholder, string>>,
): string {
  return template.replace(placeholderPattern, (_match, name: string) => {
    const value = values[name as PromptPlaceholder];
    if (value === undefined) {
      throw new ValidationError(`template placeholder {{${name}}} has no value`, {
        placeholder: name,
      });
    }
    return value;
  });
}

/** Line endings, Unicode form, trailing spaces and final newlines do not change meaning. */
export function normaliseTemplateText(text: string): string {
  return text
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.replace(/[ \t]+$/, ""))
    .join("\n")
    .replace(/\n+$/, "");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function computePromptSetContentHash(content: {
  manifest: PromptSetManifest;
  system: string;
  user: string;
}): string {
  const normalised = canonicalJson({
    manifest: content.manifest,
    system: normaliseTemplateText(content.system),
    user: normaliseTemplateText(content.user),
  });
  return createHash("sha256").update(normalised, "utf8").digest("hex");
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

function validateTemplate(file: string, template: string, kind: "system" | "user"): void {
  const known = new Set<string>(promptPlaceholders);
  for (const name of listTemplatePlaceholders(template)) {
    if (!known.has(name)) {
      throw new ValidationError(`${file}: unknown placeholder {{${name}}}`, {
        file,
        field: name,
        allowed: promptPlaceholders,
      });
    }
  }
  const transcriptUses = listTemplatePlaceholders(template).filter((name) => name === "transcript");
  // The transcript is untrusted data: it belongs in the user message, exactly once, so the
  // system prompt can never be shaped by what a caller said.
  if (kind === "system" && transcriptUses.length > 0) {
    throw new ValidationError(`${file}: {{transcript}} may only appear in user.md`, {
      file,
      field: "transcript",
    });
  }
  if (kind === "user" && transcriptUses.length !== 1) {
    throw new ValidationError(`${file}: {{transcript}} must appear exactly once`, {
      file,
      field: "transcript",
    });
  }
}

/**
 * Validates an in-memory version (e.g. one edited in the UI) and returns it with its hash.
 * `source` names the files in error messages.
 */
export function createPromptSetVersion(
  content: { set: string; version: string; manifest: unknown; system: string; user: string },
  source = `${content.set}/${content.version}`,
): PromptSetVersion {
  if (!promptSetNamePattern.test(content.set)) {
    throw new ValidationError(`${source}: set name must be lowercase kebab-case`, {
      file: source,
      field: "set",
    });
  }
  if (!promptSetVersionNamePattern.test(content.version)) {
    throw new ValidationError(`${source}: version name must match ${promptSetVersionNamePattern}`, {
      file: source,
      field: "version",
    });
  }
  const manifestFile = `${source}/manifest.json`;
  const parsed = promptSetManifestSchema.safeParse(content.manifest);
  if (!parsed.success) {
    throw new ValidationError(`${manifestFile}: ${describeIssues(parsed.error)}`, {
      file: manifestFile,
      issues: parsed.error.issues,
    });
  }
  validateTemplate(`${source}/system.md`, content.system, "system");
  validateTemplate(`${source}/user.md`, content.user, "user");
  const system = normaliseTemplateText(content.system);
  const user = normaliseTemplateText(content.user);
  return {
    set: content.set,
    version: content.version,
    manifest: parsed.data,
    system,
    user,
    contentHash: computePromptSetContentHash({ manifest: parsed.data, system, user }),
  };
}

async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ValidationError(`${file}: file is missing`, { file });
    }
    throw error;
  }
}

async function listDirectories(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => entry.name)
    .sort();
}

async function loadVersionDirectory(
  directory: string,
  set: string,
  version: string,
): Promise<PromptSetVersion> {
  const versionDirectory = path.join(directory, set, version);
  const manifestFile = path.join(versionDirectory, "manifest.json");
  const manifestText = await readTextFile(manifestFile);
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestText);
  } catch (error) {
    throw new ValidationError(`${manifestFile}: not valid JSON (${(error as Error).message})`, {
      file: manifestFile,
    });
  }
  const [system, user] = await Promise.all([
    readTextFile(path.join(versionDirectory, "system.md")),
    readTextFile(path.join(versionDirectory, "user.md")),
  ]);
  return createPromptSetVersion({ set, version, manifest, system, user }, versionDirectory);
}

/** Every version of every set under `directory`, sorted by set then version name. */
export async function loadPromptSetsFromDirectory(directory: string): Promise<PromptSetVersion[]> {
  const versions: PromptSetVersion[] = [];
  for (const set of await listDirectories(directory)) {
    if (!promptSetNamePattern.test(set)) {
      throw new ValidationError(
        `${path.join(directory, set)}: set name must be lowercase kebab-case`,
        {
          file: path.join(directory, set),
          field: "set",
        },
      );
    }
    for (const version of await listDirectories(path.join(directory, set))) {
      versions.push(await loadVersionDirectory(directory, set, version));
    }
  }
  return versions;
}

/**
 * `labels.json` of every set under `directory` (sets without one get `{}`). Each label must
 * name a version that exists on disk.
 */
export async function loadPromptSetLabelsFromDirectory(
  directory: string,
): Promise<Record<string, PromptSetLabels>> {
  const result: Record<string, PromptSetLabels> = {};
  for (const set of await listDirectories(directory)) {
    const file = path.join(directory, set, "labels.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        result[set] = {};
        continue;
      }
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ValidationError(`${file}: not valid JSON (${(error as Error).message})`, { file });
    }
    const parsed = promptSetLabelsSchema.safeParse(json);
    if (!parsed.success) {
      throw new ValidationError(`${file}: ${describeIssues(parsed.error)}`, {
        file,
        issues: parsed.error.issues,
      });
    }
    const versions = new Set(await listDirectories(path.join(directory, set)));
    for (const [label, version] of Object.entries(parsed.data)) {
      if (!versions.has(version)) {
        throw new ValidationError(`${file}: ${label}: version "${version}" does not exist`, {
          file,
          field: label,
        });
      }
    }
    result[set] = parsed.data;
  }
  return result;
}

/** The version a label points at, e.g. `resolvePromptSetLabel(versions, labels, "sales-call", "production")`. */
export function resolvePromptSetLabel(
  versions: PromptSetVersion[],
  labels: Record<string, PromptSetLabels>,
  set: string,
  label: string,
): PromptSetVersion {
  const versionName = labels[set]?.[label];
  const version = versions.find((entry) => entry.set === set && entry.version === versionName);
  if (!versionName || !version) {
    throw new NotFoundError(`prompt set "${set}" has no "${label}" version`, { set, label });
  }
  return version;
}

export function formatPromptSetReference(
  version: Pick<PromptSetVersion, "set" | "version">,
): string {
  return `${version.set}@${version.version}`;
}

function manifestFileText(manifest: PromptSetManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

async function pathExists(target: string): Promise<boolean> {
  try {
    await stat(target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/**
 * Writes a version to `directory/<set>/<version>/`. Versions are immutable: writing the same
 * content again is a no-op, different content under an existing name is a ConflictError.
 * Files land in a temporary folder first and are renamed into place, so a crash never leaves
 * half a version behind. Returns the version folder.
 */
export async function writePromptSetVersion(
  directory: string,
  version: PromptSetVersion,
): Promise<string> {
  const checked = createPromptSetVersion(version);
  const target = path.join(directory, checked.set, checked.version);
  if (await pathExists(target)) {
    const existing = await loadVersionDirectory(directory, checked.set, checked.version);
    if (existing.contentHash === checked.contentHash) return target;
    throw new ConflictError(
      `${target} already exists with different content; versions are immutable, write a new version`,
      { existingHash: existing.contentHash, newHash: checked.contentHash },
    );
  }
  const staging = path.join(
    directory,
    checked.set,
    `.${checked.version}.tmp-${process.pid}-${Date.now()}`,
  );
  await mkdir(staging, { recursive: true });
  try {
    await writeFile(path.join(staging, "manifest.json"), manifestFileText(checked.manifest));
    await writeFile(path.join(staging, "system.md"), `${checked.system}\n`);
    await writeFile(path.join(staging, "user.md"), `${checked.user}\n`);
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return target;
}

/** Writes `directory/<set>/labels.json` (labels are mutable pointers, so this overwrites). */
export async function writePromptSetLabels(
  directory: string,
  set: string,
  labels: PromptSetLabels,
): Promise<string> {
  const parsed = promptSetLabelsSchema.safeParse(labels);
  if (!parsed.success) {
    throw new ValidationError(`labels for ${set}: ${describeIssues(parsed.error)}`, {
      issues: parsed.error.issues,
    });
  }
  const file = path.join(directory, set, "labels.json");
  await mkdir(path.dirname(file), { recursive: true });
  const staging = `${file}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(staging, `${JSON.stringify(parsed.data, null, 2)}\n`);
  await rename(staging, file);
  return file;
}

export type PromptSetFileName = "manifest.json" | "system.md" | "user.md";

export interface DiffLine {
  kind: "same" | "added" | "removed";
  text: string;
  /** 1-based line number in `a` (absent for added lines). */
  oldLine?: number;
  /** 1-based line number in `b` (absent for removed lines). */
  newLine?: number;
}

export interface PromptSetFileDiff {
  file: PromptSetFileName;
  changed: boolean;
  lines: DiffLine[];
}

/** Beyond this many cells the LCS table costs too much; such a file shows as replaced whole. */
const maximumDiffCells = 4_000_000;

/**
 * Line diff by longest common subsequence. The `diff` package is not installed and prompt
 * files are a few hundred lines, so a quadratic table after trimming the common ends is enough.
 */
export function diffLines(oldText: string, newText: string): DiffLine[] {
  const oldLines = oldText === "" ? [] : oldText.split("\n");
  const newLines = newText === "" ? [] : newText.split("\n");
  let prefix = 0;
  while (
    prefix < oldLines.length &&
    prefix < newLines.length &&
    oldLines[prefix] === newLines[prefix]
  ) {
    prefix += 1;
  }
  let suffix = 0;
  while (
    suffix < oldLines.length - prefix &&
    suffix < newLines.length - prefix &&
    oldLines[oldLines.length - 1 - suffix] === newLines[newLines.length - 1 - suffix]
  ) {
    suffix += 1;
  }
  const oldMiddle = oldLines.slice(prefix, oldLines.length - suffix);
  const newMiddle = newLines.slice(prefix, newLines.length - suffix);
  const lines: DiffLine[] = [];
  for (let index = 0; index < prefix; index += 1) {
    lines.push({ kind: "same", text: oldLines[index], oldLine: index + 1, newLine: index + 1 });
  }
  const rows = oldMiddle.length;
  const columns = newMiddle.length;
  if ((rows + 1) * (columns + 1) > maximumDiffCells) {
    oldMiddle.forEach((text, index) =>
      lines.push({ kind: "removed", text, oldLine: prefix + index + 1 }),
    );
    newMiddle.forEach((text, index) =>
      lines.push({ kind: "added", text, newLine: prefix + index + 1 }),
    );
  } else {
    // table[i][j] = LCS length of oldMiddle[i..] and newMiddle[j..]
    const width = columns + 1;
    const table = new Uint32Array((rows + 1) * width);
    for (let i = rows - 1; i >= 0; i -= 1) {
      for (let j = columns - 1; j >= 0; j -= 1) {
        table[i * width + j] =
          oldMiddle[i] === newMiddle[j]
            ? table[(i + 1) * width + j + 1] + 1
            : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < rows || j < columns) {
      if (i < rows && j < columns && oldMiddle[i] === newMiddle[j]) {
        lines.push({
          kind: "same",
          text: oldMiddle[i],
          oldLine: prefix + i + 1,
          newLine: prefix + j + 1,
        });
        i += 1;
        j += 1;
      } else if (
        i < rows &&
        (j === columns || table[(i + 1) * width + j] >= table[i * width + j + 1])
      ) {
        // Removals before additions on a tie, as unified diffs show a changed line.
        lines.push({ kind: "removed", text: oldMiddle[i], oldLine: prefix + i + 1 });
        i += 1;
      } else {
        lines.push({ kind: "added", text: newMiddle[j], newLine: prefix + j + 1 });
        j += 1;
      }
    }
  }
  for (let index = 0; index < suffix; index += 1) {
    const oldIndex = oldLines.length - suffix + index;
    const newIndex = newLines.length - suffix + index;
    lines.push({
      kind: "same",
      text: oldLines[oldIndex],
      oldLine: oldIndex + 1,
      newLine: newIndex + 1,
    });
  }
  return lines;
}

/** A line diff of each file of two versions (manifest compared as its pretty-printed JSON). */
export function diffPromptSetVersions(
  a: PromptSetVersion,
  b: PromptSetVersion,
): PromptSetFileDiff[] {
  const files: Array<[PromptSetFileName, string, string]> = [
    [
      "manifest.json",
      manifestFileText(a.manifest).trimEnd(),
      manifestFileText(b.manifest).trimEnd(),
    ],
    ["system.md", normaliseTemplateText(a.system), normaliseTemplateText(b.system)],
    ["user.md", normaliseTemplateText(a.user), normaliseTemplateText(b.user)],
  ];
  return files.map(([file, oldText, newText]) => {
    const lines = diffLines(oldText, newText);
    return { file, changed: lines.some((line) => line.kind !== "same"), lines };
  });
}
