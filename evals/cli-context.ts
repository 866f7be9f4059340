/**
 * What every CLI command shares: the database (opened as `npm run migrate` opens it, and
 * migrated), the workspace, the eval environment (prompt sets, LLM endpoint), a progress bar and
 * the option parser. Evals run in this process: no Redis and no worker needed.
 */
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { loadConfig, type Config } from "../core/config.ts";
import { openDatabase, type Db } from "../core/db/database.ts";
import { migrate } from "../core/db/migrate.ts";
import {
  defaultPromptsDirectory,
  llmSettingsFromConfig,
  type EvalEnvironment,
} from "../core/eval/eval-runs.ts";
import { NotFoundError } from "../core/errors.ts";
import { createProgressBar, type ProgressBar } from "./progress.ts";

/** Exit codes, documented in evals/README.md: CI scripts branch on them. */
export const exitCodes = {
  ok: 0,
  /** The gate ran and the candidate is worse than the baseline by more than the margin. */
  gateFailed: 1,
  /** Wrong arguments, or input the command cannot use (unknown dataset, invalid file…). */
  usage: 2,
  /** Anything else: the database, the model endpoint, a bug. */
  failure: 3,
} as const;

/** A mistake in how the command was called: print the message and the usage, exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const globalOptions = {
  workspace: { type: "string" },
  prompts: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** Strict parsing: an unknown or misspelt option is a usage error, never silently ignored. */
export function parseOptions<Options extends OptionsConfig>(args: string[], options: Options) {
  try {
    return parseArgs({
      args,
      options: { ...globalOptions, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value.trim() === "") throw new UsageError(`--${name} is required.`);
  return value;
}

export function numberOption(
  value: string | undefined,
  name: string,
  check: (value: number) => boolean = () => true,
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || !check(parsed)) {
    throw new UsageError(`--${name} got "${value}", which is not a valid value.`);
  }
  return parsed;
}

export interface CliContext {
  config: Config;
  db: Db;
  workspaceId: string;
  environment: EvalEnvironment;
  promptsDirectory: string;
  progress: ProgressBar;
  json: boolean;
  /** Results go to stdout; progress and notes go to stderr. */
  print(text: string): void;
  note(text: string): void;
  close(): Promise<void>;
}

export async function openCliContext(options: {
  workspace?: string;
  prompts?: string;
  json?: boolean;
  quiet?: boolean;
}): Promise<CliContext> {
  const config = loadConfig();
  const db = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDirectory: config.DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
  });
  try {
    await migrate(db);
    const slug = options.workspace ?? "default";
    const { rows } = await db.query<{ id: string }>("SELECT id FROM workspaces WHERE slug = $1", [
      slug,
    ]);
    if (!rows[0]) throw new NotFoundError(`No workspace "${slug}".`);
    const promptsDirectory = options.prompts
      ? path.resolve(options.prompts)
      : defaultPromptsDirectory;
    const progress = createProgressBar({ enabled: !options.quiet });
    return {
      config,
      db,
      workspaceId: rows[0].id,
      promptsDirectory,
      environment: { db, promptsDirectory, llm: llmSettingsFromConfig(config) },
      progress,
      json: options.json ?? false,
      print: (text) => process.stdout.write(`${text}\n`),
      note: (text) => {
        progress.stop();
        process.stderr.write(`${text}\n`);
      },
      async close() {
        progress.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
