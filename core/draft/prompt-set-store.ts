/**
 * Prompt sets in the database. Files under `prompts/` are loaded at start-up as versions with
 * source `file`; trainers create more through the API (source `api`). Versions never change once
 * stored; labels (`production`, `staging`, …) point at versions, and publishing or rolling back is
 * moving a label — every move is kept in `prompt_set_label_events`.
 */
import type { Queryable } from "../db/database.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { PromptSetFileDiff, PromptSetVersion } from "./prompt-sets.ts";
import {
  createPromptSetVersion,
  diffPromptSetVersions,
  loadPromptSetLabelsFromDirectory,
  loadPromptSetsFromDirectory,
} from "./prompt-sets.ts";

export interface StoredPromptSetVersion extends PromptSetVersion {
  id: string;
  source: "file" | "api";
  parentVersionId: string | null;
  createdBy: string | null;
  createdAt: Date;
  labels: string[];
}

const selectVersion = `
  SELECT v.id, s.name AS set, v.version, v.manifest, v.system_template AS system, v.user_template AS user,
         v.content_hash AS "contentHash", v.source, v.parent_version_id AS "parentVersionId",
         v.created_by AS "createdBy", v.created_at AS "createdAt",
         coalesce((SELECT array_agg(l.label ORDER BY l.label) FROM prompt_set_labels l WHERE l.version_id = v.id), '{}') AS labels
  FROM prompt_set_versions v JOIN prompt_sets s ON s.id = v.prompt_set_id`;

async function promptSetId(db: Queryable, workspaceId: string, set: string, create = false): Promise<string> {
  const found = await db.query<{ id: string }>("SELECT id FROM prompt_sets WHERE workspace_id = $1 AND name = $2", [workspaceId, set]);
  if (found.rows[0]) return found.rows[0].id;
  if (!create) throw new NotFoundError(`There is no prompt set "${set}".`);
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO prompt_sets (workspace_id, name) VALUES ($1, $2)
     ON CONFLICT (workspace_id, name) DO UPDATE SET name = excluded.name RETURNING id`,
    [workspaceId, set],
  );
  return rows[0].id;
}

async function insertVersion(
  db: Queryable,
  workspaceId: string,
  version: PromptSetVersion,
  options: { source: "file" | "api"; createdBy?: string | null; parentVersionId?: string | null },
): Promise<string> {
  const setId = await promptSetId(db, workspaceId, version.set, true);
  try {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO prompt_set_versions (prompt_set_id, version, manifest, system_template, user_template, content_hash, source, parent_version_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [setId, version.version, JSON.stringify(version.manifest), version.system, version.user, version.contentHash, options.source,
        options.parentVersionId ?? null, options.createdBy ?? null],
    );
    return rows[0].id;
  } catch (error) {
    if ((error as { code?: string }).code === "23505") {
      throw new ConflictError(`${version.set}@${version.version} already exists; versions never change — save as a new version.`);
    }
    throw error;
  }
}

export interface SyncReport {
  added: string[];
  /** File versions whose content differs from the stored version of the same name (the DB wins). */
  diverged: string[];
  labelsSet: string[];
}

/** Loads `prompts/` into the database: new versions are added; labels are set only where missing. */
export async function syncPromptSetsFromFiles(db: Queryable, workspaceId: string, directory: string): Promise<SyncReport> {
  const report: SyncReport = { added: [], diverged: [], labelsSet: [] };
  const versions = await loadPromptSetsFromDirectory(directory);
  for (const version of versions) {
    const existing = await findVersion(db, workspaceId, version.set, version.version);
    if (!existing) {
      await insertVersion(db, workspaceId, version, { source: "file" });
      report.added.push(`${version.set}@${version.version}`);
    } else if (existing.contentHash !== version.contentHash) {
      report.diverged.push(`${version.set}@${version.version}`);
    }
  }
  const labels = await loadPromptSetLabelsFromDirectory(directory);
  for (const [set, setLabels] of Object.entries(labels)) {
    const setId = await promptSetId(db, workspaceId, set);
    for (const [label, versionName] of Object.entries(setLabels)) {
      const version = await getVersion(db, workspaceId, set, versionName);
      const { rowCount } = await db.query(
        `INSERT INTO prompt_set_labels (prompt_set_id, label, version_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [setId, label, version.id],
      );
      if (rowCount > 0) {
        await db.query("INSERT INTO prompt_set_label_events (prompt_set_id, label, to_version_id) VALUES ($1, $2, $3)", [setId, label, version.id]);
        report.labelsSet.push(`${set}:${label}→${versionName}`);
      }
    }
  }
  return report;
}

export async function findVersion(db: Queryable, workspaceId: string, set: string, version: string): Promise<StoredPromptSetVersion | null> {
  const { rows } = await db.query<StoredPromptSetVersion>(`${selectVersion} WHERE s.workspace_id = $1 AND s.name = $2 AND v.version = $3`, [
    workspaceId,
    set,
    version,
  ]);
  return rows[0] ?? null;
}

export async function getVersion(db: Queryable, workspaceId: string, set: string, version: string): Promise<StoredPromptSetVersion> {
  const found = await findVersion(db, workspaceId, set, version);
  if (!found) throw new NotFoundError(`There is no prompt-set version ${set}@${version}.`);
  return found;
}

export async function getVersionById(db: Queryable, workspaceId: string, id: string): Promise<StoredPromptSetVersion> {
  const { rows } = await db.query<StoredPromptSetVersion>(`${selectVersion} WHERE s.workspace_id = $1 AND v.id = $2`, [workspaceId, id]);
  if (!rows[0]) throw new NotFoundError("Prompt-set version not found.");
  return rows[0];
}

/** The version a label points at, e.g. the production version; null when the label is not set. */
export async function versionForLabel(db: Queryable, workspaceId: string, set: string, label: string): Promise<StoredPromptSetVersion | null> {
  const { rows } = await db.query<StoredPromptSetVersion>(
    `${selectVersion} JOIN prompt_set_labels pl ON pl.version_id = v.id
     WHERE s.workspace_id = $1 AND s.name = $2 AND pl.label = $3`,
    [workspaceId, set, label],
  );
  return rows[0] ?? null;
}

export async function listPromptSets(db: Queryable, workspaceId: string): Promise<Array<{ set: string; versions: StoredPromptSetVersion[] }>> {
  const { rows } = await db.query<StoredPromptSetVersion>(`${selectVersion} WHERE s.workspace_id = $1 ORDER BY s.name, v.created_at DESC`, [
    workspaceId,
  ]);
  const bySet = new Map<string, StoredPromptSetVersion[]>();
  for (const row of rows) bySet.set(row.set, [...(bySet.get(row.set) ?? []), row]);
  return [...bySet].map(([set, versions]) => ({ set, versions }));
}

/** Saves an edit as a new immutable version (named `v<n+1>` unless a name is given). */
export async function createVersion(
  db: Queryable,
  workspaceId: string,
  input: { set: string; version?: string; manifest: unknown; system: string; user: string; parentVersionId?: string | null; createdBy: string },
): Promise<StoredPromptSetVersion> {
  const name = input.version ?? (await nextVersionName(db, workspaceId, input.set));
  const version = createPromptSetVersion({ ...input, version: name });
  const id = await insertVersion(db, workspaceId, version, { source: "api", createdBy: input.createdBy, parentVersionId: input.parentVersionId });
  return getVersionById(db, workspaceId, id);
}

async function nextVersionName(db: Queryable, workspaceId: string, set: string): Promise<string> {
  const { rows } = await db.query<{ version: string }>(
    `SELECT v.version FROM prompt_set_versions v JOIN prompt_sets s ON s.id = v.prompt_set_id WHERE s.workspace_id = $1 AND s.name = $2`,
    [workspaceId, set],
  );
  const numbers = rows.map((row) => /^v(\d+)$/.exec(row.version)?.[1]).filter(Boolean).map(Number);
  return `v${Math.max(0, ...numbers) + 1}`;
}

/**
 * Points `label` at `version` (publish, or roll back to an earlier version). `expectedVersionId` is
 * the version the caller saw the label on: if someone moved it meanwhile, 409 instead of a silent
 * overwrite.
 */
export async function moveLabel(
  db: Queryable,
  workspaceId: string,
  input: { set: string; label: string; version: string; movedBy: string; expectedVersionId?: string | null },
): Promise<{ from: string | null; to: string }> {
  if (!/^[a-z][a-z0-9-]*$/.test(input.label)) throw new ValidationError("A label is lowercase letters, digits and dashes.");
  const setId = await promptSetId(db, workspaceId, input.set);
  const target = await getVersion(db, workspaceId, input.set, input.version);
  const current = await db.query<{ versionId: string; version: string }>(
    `SELECT l.version_id AS "versionId", v.version FROM prompt_set_labels l JOIN prompt_set_versions v ON v.id = l.version_id
     WHERE l.prompt_set_id = $1 AND l.label = $2 FOR UPDATE OF l`,
    [setId, input.label],
  );
  const from = current.rows[0] ?? null;
  if (input.expectedVersionId !== undefined && (from?.versionId ?? null) !== input.expectedVersionId) {
    throw new ConflictError(`${input.label} was moved to ${from?.version ?? "nothing"} by someone else meanwhile; reload and try again.`, {
      currentVersion: from?.version ?? null,
    });
  }
  await db.query(
    `INSERT INTO prompt_set_labels (prompt_set_id, label, version_id, updated_by, updated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (prompt_set_id, label) DO UPDATE SET version_id = excluded.version_id, updated_by = excluded.updated_by, updated_at = now()`,
    [setId, input.label, target.id, input.movedBy],
  );
  await db.query(
    "INSERT INTO prompt_set_label_events (prompt_set_id, label, from_version_id, to_version_id, moved_by) VALUES ($1, $2, $3, $4, $5)",
    [setId, input.label, from?.versionId ?? null, target.id, input.movedBy],
  );
  return { from: from?.version ?? null, to: target.version };
}

export async function labelHistory(db: Queryable, workspaceId: string, set: string) {
  const setId = await promptSetId(db, workspaceId, set);
  const { rows } = await db.query(
    `SELECT e.label, f.version AS "fromVersion", t.version AS "toVersion", u.display_name AS "movedBy", e.moved_at AS "movedAt"
     FROM prompt_set_label_events e JOIN prompt_set_versions t ON t.id = e.to_version_id
     LEFT JOIN prompt_set_versions f ON f.id = e.from_version_id LEFT JOIN users u ON u.id = e.moved_by
     WHERE e.prompt_set_id = $1 ORDER BY e.moved_at DESC, e.id DESC LIMIT 200`,
    [setId],
  );
  return rows;
}

export async function diffVersions(db: Queryable, workspaceId: string, set: string, from: string, to: string): Promise<PromptSetFileDiff[]> {
  const [a, b] = await Promise.all([getVersion(db, workspaceId, set, from), getVersion(db, workspaceId, set, to)]);
  return diffPromptSetVersions(a, b);
}
