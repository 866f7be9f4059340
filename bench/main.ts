/**
 * `npm run bench`: runs every benchmark in this folder, one after the other, each in its own
 * process (so one benchmark's memory, open handles or crash cannot skew or stop the next), and
 * prints a summary. A failing benchmark is reported at the end and makes the exit code non-zero,
 * but the others still run.
 *
 *   npm run bench                                    # all of them, in alphabetical order
 *   npm run bench -- foundation eval                 # only these, in this order
 *   npm run bench -- capability-map --pglite         # flags after a name go to that benchmark
 *   npm run bench -- --list                          # what there is
 *
 * A benchmark is any `bench/*.ts` file other than this runner, `support.ts` and tests; it runs on
 * its own with `npx tsx bench/<name>.ts` and prints its results with `console.table`.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const benchDirectory = path.dirname(fileURLToPath(import.meta.url));
// Tools that live here but measure nothing on their own (clinc-val-variants needs the variants to try).
const notBenchmarks = new Set(["main.ts", "support.ts", "clinc-val-variants.ts"]);
// tsx as a loader of this same Node (rather than the tsx command, which runs a second process):
// no shell or PATH lookup, and a benchmark killed by a signal is reported as such.
const tsxLoader = import.meta.resolve("tsx");

interface BenchRequest {
  name: string;
  arguments: string[];
}

function listBenchmarks(directory = benchDirectory): string[] {
  return fs
    .readdirSync(directory)
    .filter(
      (file) =>
        file.endsWith(".ts") &&
        !file.endsWith(".test.ts") &&
        !file.endsWith(".d.ts") &&
        !notBenchmarks.has(file),
    )
    .map((file) => file.slice(0, -".ts".length))
    .sort();
}

/** Names select benchmarks (in the order given); flags that follow a name belong to it. */
function parseRequests(argv: string[], available: string[]): BenchRequest[] {
  const requests: BenchRequest[] = [];
  for (const argument of argv) {
    if (argument.startsWith("-")) {
      const current = requests.at(-1);
      if (!current)
        throw new Error(`"${argument}" must follow the name of the benchmark it is for.`);
      current.arguments.push(argument);
      continue;
    }
    const name = argument.replace(/^bench\//, "").replace(/\.ts$/, "");
    if (!available.includes(name)) {
      throw new Error(`There is no benchmark "${argument}". Available: ${available.join(", ")}.`);
    }
    requests.push({ name, arguments: [] });
  }
  return requests.length > 0 ? requests : available.map((name) => ({ name, arguments: [] }));
}

interface Outcome {
  benchmark: string;
  seconds: number;
  status: string;
}

function runBenchmark(
  request: BenchRequest,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        tsxLoader,
        path.join(benchDirectory, `${request.name}.ts`),
        ...request.arguments,
      ],
      {
        stdio: "inherit",
        cwd: path.dirname(benchDirectory),
      },
    );
    child.on("error", (error) => {
      console.error(`Could not start ${request.name}: ${error.message}`);
      resolve({ code: 127, signal: null });
    });
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
}

function header(text: string): void {
  const line = "━".repeat(Math.max(8, 100 - text.length - 4));
  console.log(`\n━━ ${text} ${line}`);
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const available = listBenchmarks();
  if (argv.includes("--list")) {
    console.log(available.join("\n"));
    return 0;
  }
  let requests: BenchRequest[];
  try {
    requests = parseRequests(argv, available);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }

  // Ctrl-C reaches the running benchmark too (same process group); we only stop starting new ones.
  let interrupted = false;
  process.on("SIGINT", () => {
    interrupted = true;
  });

  const outcomes: Outcome[] = [];
  for (const [index, request] of requests.entries()) {
    if (interrupted) {
      outcomes.push({ benchmark: request.name, seconds: 0, status: "not run (interrupted)" });
      continue;
    }
    const command = ["tsx", `bench/${request.name}.ts`, ...request.arguments].join(" ");
    header(
      `${request.name} (${index + 1}/${requests.length}) · ${command} · ${new Date().toISOString()}`,
    );
    const started = performance.now();
    const { code, signal } = await runBenchmark(request);
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    const status = signal ? `failed (${signal})` : code === 0 ? "ok" : `failed (exit ${code})`;
    outcomes.push({ benchmark: request.name, seconds, status });
  }

  header("summary");
  console.table(outcomes);
  const failed = outcomes.filter((outcome) => outcome.status !== "ok");
  if (failed.length > 0) {
    console.error(
      `${failed.length} of ${outcomes.length} benchmarks did not finish: ${failed.map((outcome) => outcome.benchmark).join(", ")}`,
    );
    return interrupted ? 130 : 1;
  }
  return 0;
}

process.exitCode = await main();
