/** A workspace's intent taxonomy and sales-action catalogue: its own edits, or the built-in defaults. */
import type { Queryable } from "../db/database.ts";
import { defaultActionCatalogue, parseActionCatalogue } from "./action-catalogue.ts";
import type { ActionType, IntentDefinition } from "./schema.ts";
import { defaultIntents, parseIntentTaxonomy } from "./taxonomy.ts";

export interface DraftSettings {
  intents: IntentDefinition[];
  actionCatalogue: ActionType[];
  customerStages: string[];
}

/** The columns a `workspaces` row holds them in, as `draftSettingsOf` reads them (for a query that also reads other things). */
export const draftSettingsColumns = `intents, action_catalogue AS "actionCatalogue", customer_stages AS "customerStages"`;

export interface DraftSettingsRow {
  intents: unknown;
  actionCatalogue: unknown;
  customerStages: string[] | null;
}

export function draftSettingsOf(row: DraftSettingsRow | undefined): DraftSettings {
  return {
    intents: row?.intents ? parseIntentTaxonomy(row.intents) : defaultIntents,
    actionCatalogue: row?.actionCatalogue ? parseActionCatalogue(row.actionCatalogue) : defaultActionCatalogue,
    customerStages: row?.customerStages ?? [],
  };
}

export async function workspaceDraftSettings(db: Queryable, workspaceId: string): Promise<DraftSettings> {
  const { rows } = await db.query<DraftSettingsRow>(`SELECT ${draftSettingsColumns} FROM workspaces WHERE id = $1`, [workspaceId]);
  return draftSettingsOf(rows[0]);
}

export async function updateWorkspaceDraftSettings(
  db: Queryable,
  workspaceId: string,
  changes: { intents?: unknown; actionCatalogue?: unknown; customerStages?: string[] },
): Promise<DraftSettings> {
  const intents = changes.intents === undefined ? undefined : parseIntentTaxonomy(changes.intents);
  const catalogue = changes.actionCatalogue === undefined ? undefined : parseActionCatalogue(changes.actionCatalogue);
  await db.query(
    `UPDATE workspaces SET intents = coalesce($2, intents), action_catalogue = coalesce($3, action_catalogue),
       customer_stages = coalesce($4, customer_stages) WHERE id = $1`,
    [workspaceId, intents ? JSON.stringify(intents) : null, catalogue ? JSON.stringify(catalogue) : null, changes.customerStages ?? null],
  );
  return workspaceDraftSettings(db, workspaceId);
}
