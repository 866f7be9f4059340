/**
 * The eval harness on the command line: `npm run eval -- <command>`. Opens the database like
 * `npm run migrate` does (DATABASE_URL, or PGlite under DATA_DIR) and runs evals in this process.
 * Exit codes: 0 done (gate passed), 1 gate failed, 2 wrong usage or unusable input, 3 anything
 * else. See evals/README.md.
 */
import { ConfigError } from "../core/config.ts";
import { DataDirectoryLockedError } from "../core/db/database.ts";
import { CalibrateError } from "../core/errors.ts";
import { exitCodes, UsageError } from "./cli-context.ts";
import { usage } from "./usage.ts";

type Command = (args: string[]) => Promise<number>;

// Each command is loaded only when it runs: a cached re-run should not pay for loading the rest.
const commands: Record<string, () => Promise<Command>> = {
  datasets: async () => (await import("./commands/datasets.ts")).datasetsCommand,
  run: async () => (await import("./commands/run.ts")).runCommand,
  runs: async () => (await import("./commands/run.ts")).runsCommand,
  compare: async () => (await import("./commands/compare.ts")).compareCommand,
  gate: async () => (await import("./commands/gate.ts")).gateCommand,
  curve: async () => (await import("./commands/curve.ts")).curveCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(`${usage}\n`);
    return name ? exitCodes.ok : exitCodes.usage;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  try {
    if (!load) throw new UsageError(`Unknown command "${name}".`);
    return await (
      await load()
    )(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `calibrate eval: ${error.message}\nRun \`npm run eval -- help\` for usage.\n`,
      );
      return exitCodes.usage;
    }
    // Typed client errors (bad file, unknown dataset or prompt set) are the caller's to fix.
    if (error instanceof CalibrateError && error.status < 500) {
      process.stderr.write(`calibrate eval: ${error.message}\n`);
      const issues = (
        error.details as
          { issues?: Array<{ line: number; column?: string; message: string }> } | undefined
      )?.issues;
      for (const issue of issues?.slice(0, 20) ?? []) {
        process.stderr.write(
          `  line ${issue.line}${issue.column ? `, ${issue.column}` : ""}: ${issue.message}\n`,
        );
      }
      return exitCodes.usage;
    }
    if (error instanceof DataDirectoryLockedError && error.ownerPid !== null) {
      process.stderr.write(
        `calibrate eval: ${error.message}\n` +
          "`run` and `runs` go through a running server (set CALIBRATE_TOKEN to a personal API token); " +
          "for this command, stop the server or use DATABASE_URL.\n",
      );
      return exitCodes.failure;
    }
    // Setup problems explain themselves; anything else keeps its stack for the bug report.
    const known = error instanceof ConfigError || error instanceof DataDirectoryLockedError;
    const text =
      error instanceof Error
        ? known
          ? error.message
          : (error.stack ?? error.message)
        : String(error);
    process.stderr.write(`calibrate eval: ${text}\n`);
    return exitCodes.failure;
  }
}

// Run when executed (`tsx evals/cli.ts`), not when imported by a test.
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("evals/cli.ts")) {
  // `… | head` closes stdout early: that is the reader's choice, not a failure.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(exitCodes.ok);
    throw error;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`calibrate eval: ${String(error)}\n`);
      process.exitCode = exitCodes.failure;
    },
  );
}
