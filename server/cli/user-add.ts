/**
 * npm run user:add -- --role admin --email you@example.com [--name "Your Name"] [--team "Head office"]
 *                     [--parent-team "Region"] [--password ...] [--locale en]
 * Creates a user (and the team, if it does not exist yet). Without --password it reads one from
 * CALIBRATE_PASSWORD or asks for it on the terminal.
 */
import { parseArgs } from "node:util";
import { createInterface } from "node:readline/promises";
import { roles } from "../../core/auth/actor.ts";
import type { Role } from "../../core/auth/actor.ts";
import { createTeam, defaultWorkspaceId, findTeamByName } from "../../core/auth/teams.ts";
import { createUser } from "../../core/auth/users.ts";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/database.ts";
import { migrate } from "../../core/db/migrate.ts";
import { runMain } from "../lifecycle.ts";

const usage = `Usage: npm run user:add -- --role <${roles.join("|")}> --email <address> [--name <display name>]
                        [--team <team name>] [--parent-team <team name>] [--password <password>] [--locale zh-CN|en]`;

async function askPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new Error(`No password given. Pass --password or set CALIBRATE_PASSWORD.\n${usage}`);
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await terminal.question("Password (at least 10 characters): ");
  } finally {
    terminal.close();
  }
}

runMain(async () => {
  const { values } = parseArgs({
    options: {
      role: { type: "string" },
      email: { type: "string" },
      name: { type: "string" },
      team: { type: "string", default: "Head office" },
      "parent-team": { type: "string" },
      password: { type: "string" },
      locale: { type: "string" },
    },
  });
  if (!values.role || !values.email) throw new Error(`--role and --email are required.\n${usage}`);
  if (!roles.includes(values.role as Role)) throw new Error(`Unknown role "${values.role}".\n${usage}`);
  if (values.locale && values.locale !== "zh-CN" && values.locale !== "en") throw new Error(`--locale must be zh-CN or en.`);
  const password = values.password ?? process.env.CALIBRATE_PASSWORD ?? (await askPassword());

  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDirectory: config.DATA_DIR });
  try {
    await migrate(db);
    const user = await db.transaction(async (transaction) => {
      const workspaceId = await defaultWorkspaceId(transaction);
      let parentId: string | null = null;
      if (values["parent-team"]) {
        const parent =
          (await findTeamByName(transaction, workspaceId, values["parent-team"]!)) ??
          (await createTeam(transaction, { workspaceId, name: values["parent-team"]! }));
        parentId = parent.id;
      }
      const team =
        (await findTeamByName(transaction, workspaceId, values.team!)) ??
        (await createTeam(transaction, { workspaceId, name: values.team!, parentId }));
      return createUser(transaction, {
        workspaceId,
        teamId: team.id,
        email: values.email!,
        displayName: values.name,
        role: values.role as Role,
        password,
        locale: values.locale as "zh-CN" | "en" | undefined,
      });
    });
    process.stdout.write(`Created ${user.role} ${user.email} in team ${values.team}. Sign in at http://localhost:${config.PORT}\n`);
  } finally {
    await db.close();
  }
});
