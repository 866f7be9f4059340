/**
 * Applies `migrations/NNN-name.sql` in order, in one transaction under an advisory lock, and keeps
 * a ledger. Append-only: a migration that was applied and then edited stops the process, because
 * the databases that ran the old text and those that run the new one would silently differ.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "./database.ts";

const defaultDirectory = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");
// Any constant works; it only has to be the same in every process that migrates this database.
const advisoryLockKey = 7_310_442_019;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(directory = defaultDirectory): Migration[] {
  const migrations = fs
    .readdirSync(directory)
    .filter((file) => file.endsWith(".sql"))
    .map((file) => {
      const match = /^(\d+)-([a-z0-9-]+)\.sql$/.exec(file);
      if (!match) throw new Error(`Migration file name must look like 001-some-name.sql: ${file}`);
      const sql = fs.readFileSync(path.join(directory, file), "utf8");
      return {
        version: Number(match[1]),
        name: match[2],
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (index > 0 && migrations[index - 1].version === migration.version) {
      throw new Error(`Two migrations share version ${migration.version}`);
    }
  });
  return migrations;
}

export interface MigrationReport {
  applied: string[];
  current: number;
}

export async function migrate(db: Db, migrations = readMigrations()): Promise<MigrationReport> {
  return db.transaction(async (transaction) => {
    await transaction.query("SELECT pg_advisory_xact_lock($1)", [advisoryLockKey]);
    await transaction.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await transaction.query<{ version: number; name: string; checksum: string }>(
      "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
    );
    const ledger = new Map(rows.map((row) => [row.version, row]));
    const applied: string[] = [];
    for (const migration of migrations) {
      const recorded = ledger.get(migration.version);
      if (recorded) {
        if (recorded.checksum !== migration.checksum) {
          throw new Error(
            `Migration ${migration.version}-${migration.name} was changed after it was applied. ` +
              "Migrations are append-only: restore its text and add a new migration instead.",
          );
        }
        continue;
      }
      await transaction.exec(migration.sql);
      await transaction.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      applied.push(`${String(migration.version).padStart(3, "0")}-${migration.name}`);
    }
    const current = Math.max(0, ...migrations.map((migration) => migration.version));
    return { applied, current };
  });
}

export async function migrationStatus(db: Db): Promise<{ current: number; pending: number }> {
  const migrations = readMigrations();
  const { rows } = await db
    .query<{ version: number }>("SELECT version FROM schema_migrations")
    .catch((error: unknown) => {
      // No ledger yet: nothing applied. Anything else (the database unreachable) is the caller's to report.
      if ((error as { code?: string }).code === "42P01") return { rows: [] as Array<{ version: number }> };
      throw error;
    });
  const applied = new Set(rows.map((row) => row.version));
  return {
    current: Math.max(0, ...rows.map((row) => row.version)),
    pending: migrations.filter((migration) => !applied.has(migration.version)).length,
  };
}
