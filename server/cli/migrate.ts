/** npm run migrate: apply pending migrations and print the schema version. */
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/database.ts";
import { migrate } from "../../core/db/migrate.ts";
import { runMain } from "../lifecycle.ts";

runMain(async () => {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDirectory: config.DATA_DIR });
  try {
    const report = await migrate(db);
    process.stdout.write(
      `${db.kind}: schema at version ${report.current}` +
        (report.applied.length ? ` (applied ${report.applied.join(", ")})` : " (nothing to apply)") + "\n",
    );
  } finally {
    await db.close();
  }
});
