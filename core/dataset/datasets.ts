/**
 * Datasets in the database: a dataset is a name; each version is an immutable snapshot of samples,
 * already split into train / test (and, for public sets, their published validation split), so an
 * eval run names exactly what it measured. Versions come from the trainers' reviewed labels
 * (`snapshotDataset`), from a JSONL/CSV file (`importDatasetSamples`) or from a public set
 * (`importPublicDataset`); they leave as JSONL (`exportDatasetVersion`).
 */
import { createHash } from "node:crypto";
import type { Actor } from "../auth/actor.ts";
import { recordingScope } from "../auth/actor.ts";
import type { Db, Queryable } from "../db/database.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { canonicalJson } from "../eval/cache-key.ts";
import type { OutcomeFilter } from "../outcomes/training-signal.ts";
import { outcomeFilterSql } from "../outcomes/training-signal.ts";
import {
  formatSamplesJsonl,
  parseSamplesCsv,
  parseSamplesJsonl,
  type DatasetSample,
} from "./formats.ts";
import type { PublicSample } from "./public-sets.ts";
import { splitDataset } from "./snapshot.ts";

export const sampleSplits = ["train", "validation", "test"] as const;
export type SampleSplit = (typeof sampleSplits)[number];

/** Share of each label that goes to test, and the seed, when the caller names neither. */
export const defaultTestShare = 0.2;
export const defaultSplitSeed = 1;

export const datasetNamePattern = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,99}$/u;

export interface Dataset {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  /** `workspace` (reviewed labels), `file`, or `public:<set>`. */
  source: string;
  createdBy: string | null;
  createdAt: Date;
  latestVersion: number | null;
  latestVersionId: string | null;
}

export interface DatasetVersion {
  id: string;
  datasetId: string;
  datasetName: string;
  workspaceId: string;
  version: number;
  /** How the samples were chosen (snapshot filters, or the file / public set they came from). */
  filters: Record<string, unknown>;
  splitSeed: number;
  testShare: number;
  sampleCount: number;
  /** Samples per split, as the version was made. */
  counts: Record<SampleSplit, number>;
  labelCount: number;
  /** Every label of the version, sorted (code-unit order). */
  labels: string[];
  contentHash: string | null;
  createdBy: string | null;
  createdAt: Date;
}

export interface StoredSample {
  caseKey: string;
  split: SampleSplit;
  text: string;
  label: string;
  previousText: string | null;
  /** Speaker, customer stage, team, call date, group… whatever the source knew. */
  metadata: Record<string, unknown>;
  recordingId: string | null;
}

/** A sample to store: the file format's fields plus, optionally, its split and a stable key. */
export interface NewSample extends DatasetSample {
  split?: SampleSplit;
  /** Stable across versions, so runs on two versions can be compared case by case. */
  caseKey?: string;
  recordingId?: string | null;
}

const datasetColumns = `d.id, d.workspace_id AS "workspaceId", d.name, d.description, d.source,
  d.created_by AS "createdBy", d.created_at AS "createdAt"`;

const versionColumns = `v.id, v.dataset_id AS "datasetId", d.name AS "datasetName",
  d.workspace_id AS "workspaceId", v.version, v.filters, v.split_seed AS "splitSeed",
  v.test_share AS "testShare", v.content_hash AS "contentHash", v.created_by AS "createdBy",
  v.created_at AS "createdAt", v.split_counts AS counts, v.labels`;

type VersionRow = Omit<DatasetVersion, "counts" | "sampleCount" | "labelCount"> & {
  counts: Partial<Record<SampleSplit, number>>;
};

function toVersion(row: VersionRow): DatasetVersion {
  const counts = { train: 0, validation: 0, test: 0, ...row.counts };
  return {
    ...row,
    testShare: Number(row.testShare),
    counts,
    sampleCount: counts.train + counts.validation + counts.test,
    labelCount: row.labels.length,
  };
}

function checkDatasetName(name: string): string {
  const trimmed = name.trim();
  if (!datasetNamePattern.test(trimmed)) {
    throw new ValidationError(
      `Dataset name "${name}" must be 1–100 letters, digits, ".", "_" or "-", starting with a letter or digit.`,
    );
  }
  return trimmed;
}

export async function createDataset(
  db: Queryable,
  input: {
    workspaceId: string;
    name: string;
    description?: string;
    source?: string;
    createdBy?: string | null;
  },
): Promise<Dataset> {
  const name = checkDatasetName(input.name);
  const { rows } = await db.query<Dataset>(
    `INSERT INTO datasets (workspace_id, name, description, source, created_by)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (workspace_id, name) DO NOTHING
     RETURNING id, workspace_id AS "workspaceId", name, description, source, created_by AS "createdBy",
       created_at AS "createdAt", NULL::int AS "latestVersion", NULL::uuid AS "latestVersionId"`,
    [
      input.workspaceId,
      name,
      input.description ?? "",
      input.source ?? "workspace",
      input.createdBy ?? null,
    ],
  );
  if (!rows[0]) throw new ConflictError(`A dataset named "${name}" already exists.`, { name });
  return rows[0];
}

export async function listDatasets(db: Queryable, workspaceId: string): Promise<Dataset[]> {
  const { rows } = await db.query<Dataset>(
    `SELECT ${datasetColumns}, latest.version AS "latestVersion", latest.id AS "latestVersionId"
     FROM datasets d
     LEFT JOIN LATERAL (
       SELECT id, version FROM dataset_versions WHERE dataset_id = d.id ORDER BY version DESC LIMIT 1
     ) latest ON true
     WHERE d.workspace_id = $1 ORDER BY d.name`,
    [workspaceId],
  );
  return rows;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** By id or by name; NotFoundError for another workspace's dataset. */
export async function getDataset(
  db: Queryable,
  workspaceId: string,
  idOrName: string,
): Promise<Dataset> {
  const byId = uuidPattern.test(idOrName);
  const { rows } = await db.query<Dataset>(
    `SELECT ${datasetColumns}, latest.version AS "latestVersion", latest.id AS "latestVersionId"
     FROM datasets d
     LEFT JOIN LATERAL (
       SELECT id, version FROM dataset_versions WHERE dataset_id = d.id ORDER BY version DESC LIMIT 1
     ) latest ON true
     WHERE d.workspace_id = $1 AND ${byId ? "d.id = $2::uuid" : "d.name = $2"}`,
    [workspaceId, idOrName],
  );
  if (!rows[0]) throw new NotFoundError(`No dataset "${idOrName}".`);
  return rows[0];
}

export async function listDatasetVersions(
  db: Queryable,
  workspaceId: string,
  datasetId: string,
): Promise<DatasetVersion[]> {
  const { rows } = await db.query<VersionRow>(
    `SELECT ${versionColumns} FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id
     WHERE d.workspace_id = $1 AND d.id = $2 ORDER BY v.version DESC`,
    [workspaceId, datasetId],
  );
  return rows.map(toVersion);
}

export async function getDatasetVersion(
  db: Queryable,
  workspaceId: string,
  versionId: string,
): Promise<DatasetVersion> {
  if (!uuidPattern.test(versionId)) throw new NotFoundError("Dataset version not found.");
  const { rows } = await db.query<VersionRow>(
    `SELECT ${versionColumns} FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id
     WHERE d.workspace_id = $1 AND v.id = $2`,
    [workspaceId, versionId],
  );
  if (!rows[0]) throw new NotFoundError("Dataset version not found.");
  return toVersion(rows[0]);
}

/**
 * `name` (latest version), `name@3`, or a version id. This is how the CLI and the API name the
 * data an eval runs on.
 */
export async function resolveDatasetVersion(
  db: Queryable,
  workspaceId: string,
  reference: string,
): Promise<DatasetVersion> {
  if (uuidPattern.test(reference)) return getDatasetVersion(db, workspaceId, reference);
  const match = /^(.+?)(?:@(\d+))?$/.exec(reference.trim());
  if (!match) throw new ValidationError(`"${reference}" does not name a dataset.`);
  const [, name, version] = match;
  const dataset = await getDataset(db, workspaceId, name);
  const { rows } = await db.query<VersionRow>(
    `SELECT ${versionColumns} FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id
     WHERE v.dataset_id = $1 ${version ? "AND v.version = $2" : ""}
     ORDER BY v.version DESC LIMIT 1`,
    version ? [dataset.id, Number(version)] : [dataset.id],
  );
  if (!rows[0]) {
    throw new NotFoundError(
      version
        ? `Dataset "${name}" has no version ${version} (latest: ${dataset.latestVersion ?? "none"}).`
        : `Dataset "${name}" has no versions yet.`,
    );
  }
  return toVersion(rows[0]);
}

/** A key from the sample's content: the same utterance keeps its key across versions. */
function contentKey(sample: Pick<NewSample, "text" | "previousText">): string {
  return createHash("sha256")
    .update(canonicalJson([sample.previousText ?? null, sample.text]))
    .digest("hex")
    .slice(0, 16);
}

/** Given keys are kept; others come from the content, with `~2`, `~3` on repeats. */
function assignCaseKeys(samples: readonly NewSample[]): string[] {
  const used = new Set<string>();
  const given = samples.map((sample) => sample.caseKey?.trim() || null);
  for (const key of given) {
    if (key === null) continue;
    if (used.has(key)) throw new ValidationError(`Case key "${key}" appears twice.`, { key });
    used.add(key);
  }
  return samples.map((sample, index) => {
    const key = given[index];
    if (key !== null) return key;
    const base = contentKey(sample);
    let candidate = base;
    for (let repeat = 2; used.has(candidate); repeat++) candidate = `${base}~${repeat}`;
    used.add(candidate);
    return candidate;
  });
}

interface PreparedSample extends StoredSample {
  position: number;
}

/**
 * Gives every sample a split: the samples' own when they all carry one (public sets, re-imported
 * exports), else the stratified seeded split. A mix is refused: half a split is a mistake.
 */
function prepareSamples(
  samples: readonly NewSample[],
  options: { testShare: number; seed: number },
): PreparedSample[] {
  if (samples.length === 0) throw new ValidationError("There are no samples to store.");
  const withSplit = samples.filter((sample) => sample.split !== undefined).length;
  if (withSplit !== 0 && withSplit !== samples.length) {
    throw new ValidationError(
      `${withSplit} of ${samples.length} samples name a split: name it on every sample or on none.`,
    );
  }
  samples.forEach((sample, index) => {
    if (sample.split !== undefined && !sampleSplits.includes(sample.split)) {
      throw new ValidationError(
        `Sample ${index + 1} has split "${String(sample.split)}"; use train, validation or test.`,
      );
    }
    if (typeof sample.text !== "string" || sample.text.trim() === "") {
      throw new ValidationError(`Sample ${index + 1} has no text.`);
    }
    if (typeof sample.label !== "string" || sample.label.trim() === "") {
      throw new ValidationError(`Sample ${index + 1} has no label.`);
    }
  });
  const keys = assignCaseKeys(samples);
  let splits: SampleSplit[];
  if (withSplit === samples.length) {
    splits = samples.map((sample) => sample.split!);
  } else {
    const indexed = samples.map((sample, index) => ({ index, label: sample.label.trim() }));
    const { test } = splitDataset(indexed, {
      testShare: options.testShare,
      seed: options.seed,
      labelOf: (sample) => sample.label,
    });
    splits = samples.map(() => "train");
    for (const sample of test) splits[sample.index] = "test";
  }
  return samples.map((sample, index) => {
    const metadata: Record<string, unknown> = { ...sample.metadata };
    if (sample.speaker !== undefined) metadata.speaker = sample.speaker;
    if (sample.customerStage !== undefined) metadata.customerStage = sample.customerStage;
    return {
      caseKey: keys[index],
      split: splits[index],
      text: sample.text,
      label: sample.label.trim(),
      previousText: sample.previousText ?? null,
      metadata,
      recordingId: sample.recordingId ?? null,
      position: index,
    };
  });
}

function hashSamples(samples: readonly PreparedSample[]): string {
  const hash = createHash("sha256");
  for (const sample of samples) {
    hash.update(
      canonicalJson([
        sample.caseKey,
        sample.split,
        sample.label,
        sample.text,
        sample.previousText,
        sample.metadata,
        sample.recordingId,
      ]),
    );
    hash.update("\n");
  }
  return hash.digest("hex");
}

const insertBatchSize = 5_000;

async function insertSamples(
  db: Queryable,
  versionId: string,
  samples: readonly PreparedSample[],
): Promise<void> {
  for (let start = 0; start < samples.length; start += insertBatchSize) {
    const batch = samples.slice(start, start + insertBatchSize);
    // One statement per batch of arrays: thousands of samples in a few round trips.
    await db.query(
      `INSERT INTO dataset_samples
         (dataset_version_id, split, case_key, text, label, previous_text, metadata, recording_id, position)
       SELECT $1, split, case_key, text, label, previous_text, metadata::jsonb, recording_id, position
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[], $9::int[])
         AS batch(split, case_key, text, label, previous_text, metadata, recording_id, position)`,
      [
        versionId,
        batch.map((sample) => sample.split),
        batch.map((sample) => sample.caseKey),
        batch.map((sample) => sample.text),
        batch.map((sample) => sample.label),
        batch.map((sample) => sample.previousText),
        batch.map((sample) => JSON.stringify(sample.metadata)),
        batch.map((sample) => sample.recordingId),
        batch.map((sample) => sample.position),
      ],
    );
  }
}

export interface AddVersionInput {
  workspaceId: string;
  datasetId: string;
  samples: readonly NewSample[];
  testShare?: number;
  seed?: number;
  filters?: Record<string, unknown>;
  createdBy?: string | null;
}

export interface AddVersionResult {
  version: DatasetVersion;
  /** False when the latest version already holds exactly these samples: it is returned instead. */
  created: boolean;
}

/**
 * Stores a new immutable version (numbered one above the latest). Adding exactly the samples of
 * the latest version again returns that version, so importing a file twice is harmless.
 */
export async function addDatasetVersion(db: Db, input: AddVersionInput): Promise<AddVersionResult> {
  const testShare = input.testShare ?? defaultTestShare;
  const seed = input.seed ?? defaultSplitSeed;
  const prepared = prepareSamples(input.samples, { testShare, seed });
  const contentHash = hashSamples(prepared);
  const versionId = await db.transaction(async (transaction) => {
    // Locking the dataset row serialises version numbers per dataset.
    const locked = await transaction.query<{ id: string }>(
      "SELECT id FROM datasets WHERE id = $1 AND workspace_id = $2 FOR UPDATE",
      [input.datasetId, input.workspaceId],
    );
    if (!locked.rows[0]) throw new NotFoundError("Dataset not found.");
    const latest = await transaction.query<{ id: string; version: number; contentHash: string }>(
      `SELECT id, version, content_hash AS "contentHash" FROM dataset_versions
       WHERE dataset_id = $1 ORDER BY version DESC LIMIT 1`,
      [input.datasetId],
    );
    if (latest.rows[0]?.contentHash === contentHash) {
      return { id: latest.rows[0].id, created: false };
    }
    const counts: Record<SampleSplit, number> = { train: 0, validation: 0, test: 0 };
    for (const sample of prepared) counts[sample.split]++;
    const labels = [...new Set(prepared.map((sample) => sample.label))].sort((left, right) =>
      left < right ? -1 : left > right ? 1 : 0,
    );
    const { rows } = await transaction.query<{ id: string }>(
      `INSERT INTO dataset_versions (dataset_id, version, filters, split_seed, test_share, sample_count,
         content_hash, split_counts, labels, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        input.datasetId,
        (latest.rows[0]?.version ?? 0) + 1,
        JSON.stringify(input.filters ?? {}),
        seed,
        testShare,
        prepared.length,
        contentHash,
        JSON.stringify(counts),
        labels,
        input.createdBy ?? null,
      ],
    );
    await insertSamples(transaction, rows[0].id, prepared);
    return { id: rows[0].id, created: true };
  });
  return {
    version: await getDatasetVersion(db, input.workspaceId, versionId.id),
    created: versionId.created,
  };
}

/** Which reviewed labels a snapshot takes. Every filter is optional; together they narrow. */
export interface SnapshotFilters {
  /** A team and everything below it. */
  teamId?: string;
  customerStages?: string[];
  /** Call date (upload date when the call date is unknown), inclusive, `YYYY-MM-DD`. */
  from?: string;
  to?: string;
  intents?: string[];
  /** Only calls with this customer outcome (e.g. "advanced"): outcomes as training signal. */
  outcome?: OutcomeFilter;
  /** The utterance's language ("zh", "en"): the segment's, else the transcript's, else the upload's. */
  languages?: string[];
  /** Which decisions count: labels a trainer accepted as drafted, or corrected ("overridden"). */
  decisions?: LabelDecision[];
}

export const labelDecisions = ["accepted", "overridden"] as const;
export type LabelDecision = (typeof labelDecisions)[number];

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

export function checkFilters(filters: SnapshotFilters): void {
  for (const [name, value] of [
    ["from", filters.from],
    ["to", filters.to],
  ] as const) {
    if (value !== undefined && (!isoDate.test(value) || Number.isNaN(Date.parse(value)))) {
      throw new ValidationError(`Filter "${name}" must be a date like 2025-03-31, got "${value}".`);
    }
  }
  if (filters.from && filters.to && filters.from > filters.to) {
    throw new ValidationError(`Filter "from" (${filters.from}) is after "to" (${filters.to}).`);
  }
  if (filters.teamId !== undefined && !uuidPattern.test(filters.teamId)) {
    throw new ValidationError(`Filter "teamId" must be a team id.`);
  }
  for (const decision of filters.decisions ?? []) {
    if (!labelDecisions.includes(decision)) {
      throw new ValidationError(`Filter "decisions" takes ${labelDecisions.join(", ")}, got "${decision}".`);
    }
  }
}

/** What a snapshot with these filters would hold, before building it: the dataset builder's preview. */
export interface SnapshotPreview {
  samples: number;
  recordings: number;
  /** Samples per intent label, most first. */
  labels: { label: string; count: number }[];
}

export function previewSamples(samples: NewSample[]): SnapshotPreview {
  const counts = new Map<string, number>();
  for (const sample of samples) counts.set(sample.label, (counts.get(sample.label) ?? 0) + 1);
  return {
    samples: samples.length,
    recordings: new Set(samples.map((sample) => sample.recordingId)).size,
    labels: [...counts]
      .map(([label, count]) => ({ label, count }))
      .sort((left, right) => right.count - left.count || left.label.localeCompare(right.label)),
  };
}

/**
 * The conditions on the recording (alias `r`) that every kind of snapshot shares: in the actor's
 * workspace and within what they may see, not erased, and the team, customer stage, date and outcome
 * filters. Their values are appended to `params`. The language filter is not here: which column says
 * a sample's language depends on whether the sample is an utterance or a whole call.
 */
export function recordingConditions(
  actor: Actor,
  filters: SnapshotFilters,
  params: unknown[],
): string[] {
  params.push(actor.workspaceId);
  const conditions = [`r.workspace_id = $${params.length}`, "r.status <> 'erased'"];
  const scope = recordingScope(actor, "r", params.length + 1);
  conditions.push(scope.sql);
  params.push(...scope.params);
  if (filters.teamId) {
    params.push(filters.teamId);
    conditions.push(
      `r.team_id IN (SELECT id FROM teams WHERE path LIKE (SELECT path FROM teams WHERE id = $${params.length}) || '%')`,
    );
  }
  if (filters.customerStages?.length) {
    params.push(filters.customerStages);
    conditions.push(`r.customer_stage = ANY($${params.length}::text[])`);
  }
  if (filters.from) {
    params.push(filters.from);
    conditions.push(`coalesce(r.call_date, r.created_at::date) >= $${params.length}::date`);
  }
  if (filters.to) {
    params.push(filters.to);
    conditions.push(`coalesce(r.call_date, r.created_at::date) <= $${params.length}::date`);
  }
  if (filters.outcome) conditions.push(outcomeFilterSql(filters.outcome, "r"));
  return conditions;
}

/**
 * The reviewed intent labels the actor may see: intent items a trainer accepted or overrode
 * (the override's intent wins), with the utterance's redacted text and the one before it. When a
 * recording was drafted more than once, the latest draft's label for an utterance counts.
 */
export async function collectLabelledSamples(
  db: Queryable,
  actor: Actor,
  filters: SnapshotFilters = {},
): Promise<NewSample[]> {
  checkFilters(filters);
  const params: unknown[] = [];
  const decisions = filters.decisions?.length ? filters.decisions : labelDecisions;
  const conditions = [
    "di.kind = 'intent'",
    `di.status IN (${decisions.map((decision) => `'${decision}'`).join(", ")})`,
    // A rep's correction joins the pool when a trainer approves it.
    "di.decided_as IS DISTINCT FROM 'rep'",
    ...recordingConditions(actor, filters, params),
  ];
  if (filters.languages?.length) {
    params.push(filters.languages.map((language) => language.toLowerCase()));
    // 'zh-CN' and 'zh' are both Chinese: compare the primary subtag.
    conditions.push(
      `split_part(lower(coalesce(s.language, t.language, nullif(r.language, 'auto'), '')), '-', 1) = ANY($${params.length}::text[])`,
    );
  }
  if (filters.intents?.length) {
    params.push(filters.intents);
    conditions.push(
      `coalesce(di.current_content->>'intent', di.content->>'intent') = ANY($${params.length}::text[])`,
    );
  }
  const { rows } = await db.query<{
    draftItemId: string;
    recordingId: string;
    teamId: string;
    customerStage: string;
    callDate: string;
    label: string | null;
    text: string;
    previousText: string | null;
    speaker: string;
  }>(
    `SELECT * FROM (
       SELECT DISTINCT ON (r.id, s.ordinal)
         di.id AS "draftItemId", r.id AS "recordingId", r.team_id AS "teamId",
         r.customer_stage AS "customerStage",
         to_char(coalesce(r.call_date, r.created_at::date), 'YYYY-MM-DD') AS "callDate",
         coalesce(di.current_content->>'intent', di.content->>'intent') AS label,
         s.text, previous.text AS "previousText", s.speaker,
         r.created_at AS "recordingCreatedAt", s.ordinal
       FROM draft_items di
       JOIN drafts d ON d.id = di.draft_id
       JOIN recordings r ON r.id = di.recording_id
       JOIN transcripts t ON t.id = d.transcript_id
       JOIN segments s ON s.transcript_id = d.transcript_id
         AND s.ordinal = coalesce(di.segment_ordinal, (di.content->>'segment')::int)
       LEFT JOIN segments previous ON previous.transcript_id = d.transcript_id
         AND previous.ordinal = s.ordinal - 1
       WHERE ${conditions.join(" AND ")}
       ORDER BY r.id, s.ordinal, d.created_at DESC
     ) labelled
     ORDER BY "recordingCreatedAt", "recordingId", ordinal`,
    params,
  );
  return rows
    .filter((row) => row.label && row.text.trim() !== "")
    .map((row) => ({
      caseKey: `item:${row.draftItemId}`,
      text: row.text,
      label: row.label!,
      ...(row.previousText ? { previousText: row.previousText } : {}),
      speaker: row.speaker,
      customerStage: row.customerStage,
      metadata: { teamId: row.teamId, callDate: row.callDate },
      recordingId: row.recordingId,
    }));
}

/**
 * A new version of a dataset from the reviewed labels, stratified and split with a seed. A
 * snapshot taken later is a new version; earlier versions never change.
 */
export async function snapshotDataset(
  db: Db,
  actor: Actor,
  input: { datasetId: string; filters?: SnapshotFilters; testShare?: number; seed?: number },
): Promise<AddVersionResult> {
  const filters = input.filters ?? {};
  const samples = await collectLabelledSamples(db, actor, filters);
  if (samples.length === 0) {
    throw new ValidationError(
      "No reviewed intent labels match these filters: accept or correct some drafts first, or widen the filters.",
      { filters },
    );
  }
  return addDatasetVersion(db, {
    workspaceId: actor.workspaceId,
    datasetId: input.datasetId,
    samples,
    testShare: input.testShare,
    seed: input.seed,
    filters: { kind: "snapshot", ...filters },
    createdBy: actor.id,
  });
}

export type SampleFileFormat = "jsonl" | "csv";

/**
 * Parses a JSONL or CSV file of samples (see formats.ts). `split` and `caseKey` columns, as
 * written by `exportDatasetVersion`, are honoured, so an export imports back unchanged.
 */
export function parseSamplesFile(content: string, format: SampleFileFormat): NewSample[] {
  const parsed = format === "csv" ? parseSamplesCsv(content) : parseSamplesJsonl(content);
  return parsed.map((sample, index) => {
    const { split, caseKey, case_key: snakeCaseKey, ...metadata } = sample.metadata ?? {};
    const result: NewSample = { ...sample };
    delete result.metadata;
    if (Object.keys(metadata).length > 0) result.metadata = metadata;
    if (split !== undefined) {
      if (typeof split !== "string" || !sampleSplits.includes(split as SampleSplit)) {
        throw new ValidationError(
          `Sample ${index + 1}: split must be train, validation or test, got ${JSON.stringify(split)}.`,
        );
      }
      result.split = split as SampleSplit;
    }
    const key = caseKey ?? snakeCaseKey;
    if (key !== undefined) result.caseKey = String(key);
    return result;
  });
}

export interface ImportResult {
  dataset: Dataset;
  version: DatasetVersion;
  created: boolean;
}

/** Adds the samples as a new version of the named dataset, creating the dataset if needed. */
export async function importDatasetSamples(
  db: Db,
  input: {
    workspaceId: string;
    name: string;
    samples: readonly NewSample[];
    source?: string;
    description?: string;
    filters?: Record<string, unknown>;
    testShare?: number;
    seed?: number;
    createdBy?: string | null;
  },
): Promise<ImportResult> {
  const name = checkDatasetName(input.name);
  // Check the samples before creating anything: a bad file must not leave an empty dataset.
  prepareSamples(input.samples, {
    testShare: input.testShare ?? defaultTestShare,
    seed: input.seed ?? defaultSplitSeed,
  });
  let dataset: Dataset;
  try {
    dataset = await getDataset(db, input.workspaceId, name);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    try {
      dataset = await createDataset(db, {
        workspaceId: input.workspaceId,
        name,
        description: input.description,
        source: input.source ?? "file",
        createdBy: input.createdBy,
      });
    } catch (conflict) {
      // Another import created it a moment ago: use that one.
      if (!(conflict instanceof ConflictError)) throw conflict;
      dataset = await getDataset(db, input.workspaceId, name);
    }
  }
  const { version, created } = await addDatasetVersion(db, {
    workspaceId: input.workspaceId,
    datasetId: dataset.id,
    samples: input.samples,
    testShare: input.testShare,
    seed: input.seed,
    filters: input.filters ?? { kind: "import", source: input.source ?? "file" },
    createdBy: input.createdBy,
  });
  return { dataset: await getDataset(db, input.workspaceId, dataset.id), version, created };
}

export const publicDatasetNames = ["clinc150", "persuasion", "crosswoz"] as const;
export type PublicDatasetName = (typeof publicDatasetNames)[number];

// The loaders read large files: imported only when a public set is imported.
const publicLoaders: Record<
  PublicDatasetName,
  { load: () => Promise<PublicSample[]>; description: string }
> = {
  clinc150: {
    load: async () => (await import("./public-sets.ts")).loadClinc150(),
    description:
      "CLINC150: 150 English task-oriented intents (Larson et al., 2019), published splits.",
  },
  persuasion: {
    load: async () => (await import("./public-sets.ts")).loadPersuasionForGood(),
    description:
      "PersuasionForGood: persuader strategies in donation dialogues (Wang et al., 2019); fold 0 of the authors' 5 folds is test; the previous persuadee turn as context.",
  },
  crosswoz: {
    load: async () => (await import("./public-sets.ts")).loadCrossWoz(),
    description:
      "CrossWOZ: Chinese user turns labelled with their dialogue acts (Zhu et al., 2020); upstream test is test, upstream val split by dialogue into train and validation; the previous system turn as context.",
  },
};

export function isPublicDatasetName(name: string): name is PublicDatasetName {
  return (publicDatasetNames as readonly string[]).includes(name);
}

/** Imports a public set with its published splits, as dataset `name` (default: the set's name). */
export async function importPublicDataset(
  db: Db,
  input: {
    workspaceId: string;
    set: PublicDatasetName;
    name?: string;
    createdBy?: string | null;
    /** Keep only these labels (e.g. a small slice for tests). */
    labels?: readonly string[];
  },
): Promise<ImportResult> {
  if (!isPublicDatasetName(input.set)) {
    throw new ValidationError(
      `Unknown public dataset "${String(input.set)}"; choose ${publicDatasetNames.join(", ")}.`,
    );
  }
  const loader = publicLoaders[input.set];
  let samples = await loader.load();
  if (input.labels) {
    const keep = new Set(input.labels);
    samples = samples.filter((sample) => keep.has(sample.label));
  }
  return importDatasetSamples(db, {
    workspaceId: input.workspaceId,
    name: input.name ?? input.set,
    source: `public:${input.set}`,
    description: loader.description,
    filters: { kind: "public", set: input.set, ...(input.labels ? { labels: input.labels } : {}) },
    createdBy: input.createdBy,
    samples: samples.map((sample) => ({
      text: sample.text,
      label: sample.label,
      split: sample.split,
      ...(sample.previousText ? { previousText: sample.previousText } : {}),
      ...(sample.group !== undefined || sample.fold !== undefined || sample.acts !== undefined
        ? {
            metadata: {
              ...(sample.group !== undefined ? { group: sample.group } : {}),
              ...(sample.fold !== undefined ? { fold: sample.fold } : {}),
              ...(sample.acts !== undefined ? { acts: sample.acts } : {}),
            },
          }
        : {}),
    })),
  });
}

/** A version's samples in their stored order, optionally only some splits. */
export async function loadSamples(
  db: Queryable,
  versionId: string,
  options: { splits?: readonly SampleSplit[] } = {},
): Promise<StoredSample[]> {
  const { rows } = await db.query<StoredSample>(
    `SELECT case_key AS "caseKey", split, text, label, previous_text AS "previousText", metadata,
       recording_id AS "recordingId"
     FROM dataset_samples
     WHERE dataset_version_id = $1 ${options.splits ? "AND split = ANY($2::text[])" : ""}
     ORDER BY position, id`,
    options.splits ? [versionId, options.splits] : [versionId],
  );
  return rows;
}

/**
 * JSONL of a version: one sample per line with its `split` and `caseKey`, so the file can be
 * edited and imported back as a new version with the same split and the same case keys.
 */
export async function exportDatasetVersion(
  db: Queryable,
  versionId: string,
  options: { splits?: readonly SampleSplit[] } = {},
): Promise<string> {
  const samples = await loadSamples(db, versionId, options);
  return formatSamplesJsonl(
    samples.map((sample) => {
      const { speaker, customerStage, ...rest } = sample.metadata;
      const exported: DatasetSample = { text: sample.text, label: sample.label };
      if (sample.previousText !== null) exported.previousText = sample.previousText;
      if (typeof speaker === "string") exported.speaker = speaker;
      if (typeof customerStage === "string") exported.customerStage = customerStage;
      // formatSamplesJsonl writes metadata last; split and case key lead it for readability.
      exported.metadata = { split: sample.split, caseKey: sample.caseKey, ...rest };
      return exported;
    }),
  );
}
