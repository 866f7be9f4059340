/**
 * The databases integration tests run against: embedded PGlite always, and a real PostgreSQL (with
 * pgvector) when TEST_DATABASE_URL is set — CI sets it, so both paths run there. Each PostgreSQL test
 * database is created fresh and dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Db } from "../../core/db/database.ts";
import { connectPostgres, openPglite } from "../../core/db/database.ts";
import { migrate } from "../../core/db/migrate.ts";

export interface TestDatabase {
  db: Db;
  /** PostgreSQL only: the test database's URL, to open a second connection (another "process"). */
  url?: string;
  drop(): Promise<void>;
}

export type DatabaseKind = "pglite" | "postgres";

export const databaseKinds: DatabaseKind[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

export async function createTestDatabase(kind: DatabaseKind, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  let testDatabase: TestDatabase;
  if (kind === "pglite") {
    const db = await openPglite(null);
    testDatabase = { db, drop: () => db.close() };
  } else {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    const name = `calibrate_test_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const databaseUrl = new URL(url);
    databaseUrl.pathname = `/${name}`;
    const db = connectPostgres(databaseUrl.toString(), { poolSize: 5 });
    testDatabase = {
      db,
      url: databaseUrl.toString(),
      async drop() {
        await db.close();
        const cleanup = new pg.Client({ connectionString: url.toString() });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await cleanup.end();
      },
    };
  }
  if (options.migrate !== false) await migrate(testDatabase.db);
  return testDatabase;
}
