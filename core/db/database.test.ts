import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirectoryLockedError, openPglite } from "./database.ts";
import { migrate, readMigrations } from "./migrate.ts";

const directories: string[] = [];
function temporaryDirectory(): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-pglite-"));
  directories.push(directory);
  return path.join(directory, "pglite");
}

afterEach(() => {
  for (const directory of directories.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
});

describe("embedded PGlite", () => {
  it("keeps data across restarts and refuses a second process on the same directory", async () => {
    const directory = temporaryDirectory();
    const first = await openPglite(directory);
    await migrate(first);
    await first.query("INSERT INTO workspaces (slug, name) VALUES ('kept', 'Kept')");
    await expect(openPglite(directory)).rejects.toBeInstanceOf(DataDirectoryLockedError);
    await first.close();

    const second = await openPglite(directory);
    const { rows } = await second.query<{ name: string }>("SELECT name FROM workspaces WHERE slug = 'kept'");
    expect(rows).toEqual([{ name: "Kept" }]);
    // Migrating again applies nothing.
    expect((await migrate(second)).applied).toEqual([]);
    await second.close();
  });

  it("refuses a migration that was edited after it was applied", async () => {
    const db = await openPglite(null);
    const migrations = readMigrations();
    await migrate(db, migrations);
    const edited = migrations.map((migration, index) => (index === 0 ? { ...migration, checksum: "changed" } : migration));
    await expect(migrate(db, edited)).rejects.toThrow(/append-only/);
    await db.close();
  });

  it("has pgvector, with numbers for counts and amounts like the pg driver", async () => {
    const db = await openPglite(null);
    await db.exec("CREATE EXTENSION IF NOT EXISTS vector");
    const { rows } = await db.query<{ distance: number; count: number; amount: number }>(
      "SELECT '[1,0]'::vector <=> '[0,1]'::vector AS distance, count(*) AS count, 1.25::numeric AS amount FROM (VALUES (1)) v",
    );
    expect(rows[0]).toEqual({ distance: 1, count: 1, amount: 1.25 });
    await db.close();
  });
});
