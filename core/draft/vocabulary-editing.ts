/**
 * Editing a workspace's intent taxonomy and action catalogue. Both start as the built-in defaults
 * (a NULL column); the first edit stores the whole list, defaults included, so later default
 * changes never alter a workspace that made the list its own.
 *
 * Retiring an entry that labels already use is refused unless the editor says where those labels
 * go (`mappings: { retired: replacement }`): the stored items are relabelled to the replacement in
 * the same transaction. Silently keeping them would leave labels the drafter can no longer
 * produce, the review picker can no longer show, and the local model would train on a class that
 * no longer exists; deleting them would lose a trainer's work. Built dataset versions stay as they
 * were (versions are immutable snapshots).
 */
import { createHash } from "node:crypto";
import type { Db, Queryable } from "../db/database.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { parseActionCatalogue } from "./action-catalogue.ts";
import type { ActionType, IntentDefinition } from "./schema.ts";
import { parseIntentTaxonomy } from "./taxonomy.ts";
import { workspaceDraftSettings } from "./workspace-settings.ts";

export interface VocabularyUsage {
  /** Draft items (not rejected) labelled with each intent id. */
  intents: Record<string, number>;
  /** Action items (not rejected) typed with each action-type id. */
  actionTypes: Record<string, number>;
}

export interface Vocabulary {
  intents: IntentDefinition[];
  actionCatalogue: ActionType[];
  /** False while the workspace still uses the built-in defaults. */
  customised: { intents: boolean; actionCatalogue: boolean };
  /**
   * Each list's revision, a digest of its content: a save that names the revision it was edited
   * from is refused (409) when someone else saved the list in between, instead of overwriting it.
   */
  revisions: { intents: string; actionCatalogue: string };
  usage: VocabularyUsage;
}

const vocabularyKinds = {
  intents: { itemKind: "intent", field: "intent", column: "intents" },
  actionCatalogue: { itemKind: "action_item", field: "type", column: "action_catalogue" },
} as const;
type VocabularyKind = keyof typeof vocabularyKinds;

async function usageOf(db: Queryable, workspaceId: string, kind: VocabularyKind): Promise<Record<string, number>> {
  const { itemKind, field } = vocabularyKinds[kind];
  const { rows } = await db.query<{ id: string; count: number }>(
    `SELECT coalesce(di.current_content->>'${field}', di.content->>'${field}') AS id, count(*)::int AS count
     FROM draft_items di JOIN recordings r ON r.id = di.recording_id
     WHERE r.workspace_id = $1 AND r.status <> 'erased' AND di.kind = '${itemKind}' AND di.status <> 'rejected'
     GROUP BY 1`,
    [workspaceId],
  );
  return Object.fromEntries(rows.filter((row) => row.id).map((row) => [row.id, row.count]));
}

export async function loadVocabulary(db: Queryable, workspaceId: string): Promise<Vocabulary> {
  const [settings, stored, intents, actionTypes] = await Promise.all([
    workspaceDraftSettings(db, workspaceId),
    db.query<{ intents: boolean; actionCatalogue: boolean }>(
      `SELECT intents IS NOT NULL AS intents, action_catalogue IS NOT NULL AS "actionCatalogue" FROM workspaces WHERE id = $1`,
      [workspaceId],
    ),
    usageOf(db, workspaceId, "intents"),
    usageOf(db, workspaceId, "actionCatalogue"),
  ]);
  return {
    intents: settings.intents,
    actionCatalogue: settings.actionCatalogue,
    customised: stored.rows[0] ?? { intents: false, actionCatalogue: false },
    revisions: { intents: revisionOf(settings.intents), actionCatalogue: revisionOf(settings.actionCatalogue) },
    usage: { intents, actionTypes },
  };
}

function revisionOf(entries: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(entries)).digest("hex").slice(0, 16);
}

export interface SaveVocabularyResult {
  vocabulary: Vocabulary;
  /** Ids no longer in the list. */
  retired: string[];
  /** Stored items moved from a retired id to its replacement. */
  relabelled: number;
}

/** Replaces the workspace's intent taxonomy; see the module comment for retiring used intents. */
export function saveIntentTaxonomy(
  db: Db,
  workspaceId: string,
  input: { intents: unknown; mappings?: Record<string, string>; revision?: string },
): Promise<SaveVocabularyResult> {
  const intents = withFlatIssues(() => parseIntentTaxonomy(input.intents));
  return save(db, workspaceId, "intents", intents, input.mappings ?? {}, input.revision);
}

/** Replaces the workspace's action catalogue; retiring a used action type works as for intents. */
export function saveActionCatalogue(
  db: Db,
  workspaceId: string,
  input: { actionCatalogue: unknown; mappings?: Record<string, string>; revision?: string },
): Promise<SaveVocabularyResult> {
  const catalogue = withFlatIssues(() => parseActionCatalogue(input.actionCatalogue));
  return save(db, workspaceId, "actionCatalogue", catalogue, input.mappings ?? {}, input.revision);
}

/**
 * The parsers report `{ issues }` as their details; the HTTP layer sends details as the error's
 * `issues`, which clients read as a list — so pass the list itself.
 */
function withFlatIssues<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const issues = error instanceof ValidationError ? (error.details as { issues?: unknown } | undefined)?.issues : undefined;
    if (!Array.isArray(issues)) throw error;
    throw new ValidationError(error instanceof Error ? error.message : "Invalid list", issues.map((issue: { path: Array<string | number>; message: string }) => ({
      path: issue.path.join("."),
      message: issue.message,
    })));
  }
}

async function save(
  db: Db,
  workspaceId: string,
  kind: VocabularyKind,
  entries: Array<{ id: string }>,
  mappings: Record<string, string>,
  /** The revision the editor started from; absent: no check (scripts that replace the whole list). */
  expectedRevision: string | undefined,
): Promise<SaveVocabularyResult> {
  const { itemKind, field, column } = vocabularyKinds[kind];
  const result = await db.transaction(async (transaction) => {
    // One editor at a time per workspace: the retire check and the relabelling see the same list.
    await transaction.query("SELECT id FROM workspaces WHERE id = $1 FOR UPDATE", [workspaceId]);
    const current = (await workspaceDraftSettings(transaction, workspaceId))[kind];
    if (expectedRevision !== undefined && revisionOf(current) !== expectedRevision) {
      throw new ConflictError(
        "Someone else saved this list after you opened it. It has been reloaded: check their change, then save yours again.",
        { revision: revisionOf(current) },
        { key: "vocabulary.changed" },
      );
    }
    const kept = new Set(entries.map((entry) => entry.id));
    const retired = current.map((entry) => entry.id).filter((id) => !kept.has(id));
    for (const [from, to] of Object.entries(mappings)) {
      if (!retired.includes(from)) {
        throw new ValidationError(`"${from}" is not being retired, so it cannot be mapped.`, undefined, {
          key: "vocabulary.mapping_not_retired",
          params: { id: from },
        });
      }
      if (!kept.has(to)) {
        throw new ValidationError(`"${from}" can only be mapped to an entry that stays, not "${to}".`, undefined, {
          key: "vocabulary.mapping_target_missing",
          params: { id: from, target: to },
        });
      }
    }
    const usage = await usageOf(transaction, workspaceId, kind);
    const unmapped = retired.filter((id) => (usage[id] ?? 0) > 0 && !mappings[id]);
    if (unmapped.length > 0) {
      const [first] = unmapped;
      throw new ConflictError(
        `"${first}" labels ${usage[first]} item(s): choose which entry those labels move to before retiring it.`,
        { inUse: Object.fromEntries(unmapped.map((id) => [id, usage[id]])) },
        { key: "vocabulary.retire_in_use", params: { id: first, count: usage[first] } },
      );
    }
    let relabelled = 0;
    for (const id of retired) {
      const target = mappings[id];
      if (!target) continue;
      const { rowCount } = await transaction.query(
        `UPDATE draft_items di
         SET current_content = jsonb_set(coalesce(di.current_content, di.content), '{${field}}', to_jsonb($3::text)),
             revision = di.revision + 1
         FROM recordings r
         WHERE r.id = di.recording_id AND r.workspace_id = $1 AND di.kind = '${itemKind}'
           AND coalesce(di.current_content->>'${field}', di.content->>'${field}') = $2`,
        [workspaceId, id, target],
      );
      relabelled += rowCount;
    }
    await transaction.query(`UPDATE workspaces SET ${column} = $2 WHERE id = $1`, [workspaceId, JSON.stringify(entries)]);
    return { retired, relabelled };
  });
  return { ...result, vocabulary: await loadVocabulary(db, workspaceId) };
}
