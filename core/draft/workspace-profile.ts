/**
 * What a workspace sells, declared by an admin at setup: its industry and its products. The
 * day-one defaults read it — the shipped talk tracks are offered only when they were written for
 * this industry (or for any), so a software team never gets an insurance reply. Kept in
 * `workspaces.settings` (jsonb) beside the time zone: two small fields need no table of their own.
 */
import { z } from "zod";
import type { Queryable } from "../db/database.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { issuesFromZod } from "./taxonomy.ts";

/** Industries the shipped defaults (seed talk tracks, seed intents) were written for. */
export const industries = ["saas", "medical_devices", "education", "insurance", "retail", "automotive", "other"] as const;
export type Industry = (typeof industries)[number];

/** Written for any industry: a seed talk track with this industry fits every workspace. */
export const anyIndustry = "general";

export interface WorkspaceProfile {
  /** null until an admin declares it: then only talk tracks written for any industry are offered. */
  industry: Industry | null;
  /** What the workspace sells, in its own words ("CRM for clinics", "定期寿险"). */
  products: string[];
}

export const workspaceProfileSchema = z.strictObject({
  industry: z.enum(industries).nullable(),
  products: z.array(z.string().trim().min(1).max(80)).max(20),
});

const storedSchema = z.object({
  industry: z.enum(industries).nullable().catch(null).default(null),
  products: z.array(z.string()).catch([]).default([]),
});

/** The profile's columns of `workspaces` (aliased `w`), for queries that read it with other things. */
export const workspaceProfileColumns = `w.settings->'industry' AS "profileIndustry", w.settings->'products' AS "profileProducts"`;

export interface WorkspaceProfileRow {
  profileIndustry: unknown;
  profileProducts: unknown;
}

/** A hand-edited or older value that no longer parses reads as "not declared", never as an error. */
export function workspaceProfileOf(row: WorkspaceProfileRow): WorkspaceProfile {
  return storedSchema.parse({ industry: row.profileIndustry ?? undefined, products: row.profileProducts ?? undefined });
}

export async function workspaceProfile(db: Queryable, workspaceId: string): Promise<WorkspaceProfile> {
  const { rows } = await db.query<WorkspaceProfileRow>(`SELECT ${workspaceProfileColumns} FROM workspaces w WHERE w.id = $1`, [workspaceId]);
  if (!rows[0]) throw new NotFoundError("Workspace not found.");
  return workspaceProfileOf(rows[0]);
}

/** Validates and stores the whole profile; products are de-duplicated (case-insensitively), order kept. */
export async function updateWorkspaceProfile(db: Queryable, workspaceId: string, value: unknown): Promise<WorkspaceProfile> {
  const parsed = workspaceProfileSchema.safeParse(value);
  if (!parsed.success) throw new ValidationError("Invalid workspace profile", { issues: issuesFromZod(parsed.error) });
  const seen = new Set<string>();
  const products = parsed.data.products.filter((product) => {
    const key = product.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const { rowCount } = await db.query(
    `UPDATE workspaces SET settings = coalesce(settings, '{}'::jsonb) || jsonb_build_object('industry', $2::text, 'products', $3::jsonb) WHERE id = $1`,
    [workspaceId, parsed.data.industry, JSON.stringify(products)],
  );
  if (!rowCount) throw new NotFoundError("Workspace not found.");
  return { industry: parsed.data.industry, products };
}
