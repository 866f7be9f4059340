/**
 * npm run prompts:export -- [--set sales-call] [--version v3] [--directory prompts]
 * Writes prompt-set versions created in the database back to files, with the labels, so they can
 * be reviewed in git. Without --version, exports every version the files do not have yet.
 */
import { parseArgs } from "node:util";
import { defaultWorkspaceId } from "../../core/auth/teams.ts";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/database.ts";
import { migrate } from "../../core/db/migrate.ts";
import { listPromptSets } from "../../core/draft/prompt-set-store.ts";
import { loadPromptSetsFromDirectory, writePromptSetLabels, writePromptSetVersion } from "../../core/draft/prompt-sets.ts";
import { promptsDirectory } from "../../core/draft/workspace-preparation.ts";
import { runMain } from "../lifecycle.ts";

runMain(async () => {
  const { values } = parseArgs({
    options: { set: { type: "string" }, version: { type: "string" }, directory: { type: "string", default: promptsDirectory } },
  });
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDirectory: config.DATA_DIR });
  try {
    await migrate(db);
    const workspaceId = await defaultWorkspaceId(db);
    const onDisk = new Set((await loadPromptSetsFromDirectory(values.directory!)).map((version) => `${version.set}@${version.version}`));
    let written = 0;
    for (const { set, versions } of await listPromptSets(db, workspaceId)) {
      if (values.set && set !== values.set) continue;
      for (const version of versions) {
        const wanted = values.version ? version.version === values.version : !onDisk.has(`${set}@${version.version}`);
        if (!wanted) continue;
        const folder = await writePromptSetVersion(values.directory!, version);
        process.stdout.write(`wrote ${folder}\n`);
        written += 1;
      }
      const labels = Object.fromEntries(versions.flatMap((version) => version.labels.map((label) => [label, version.version])));
      await writePromptSetLabels(values.directory!, set, labels);
    }
    process.stdout.write(written ? `Exported ${written} version(s).\n` : "Nothing to export: the files already have every version.\n");
  } finally {
    await db.close();
  }
});
