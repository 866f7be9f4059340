/**
 * Eval harness benchmarks, end to end through the CLI (`npx tsx bench/eval.ts`):
 *
 * - local-engine eval of CLINC150 test (4,500 cases, training on 15,000 included): target < 10 s;
 * - LLM eval of the same 4,500 cases against the local OpenAI-compatible server (seeds the
 *   cache), then the cached re-run: target < 5 s, and zero requests;
 * - the label-efficiency curve of CLINC150 (1, 2, 5, 10, 20, 50 labels per intent; random vs
 *   uncertainty; 3 seeds).
 *
 * Each step is a child process on a fresh PGlite data directory, as a user would run it.
 * Options: --postgres <url> (run the database steps on a fresh PostgreSQL database too, e.g.
 * postgres://postgres@127.0.0.1:5432/test), --skip-curve, --curve-batch <n> (labels per
 * active-learning round; default one per intent, i.e. 150), --keep (keep the data directory).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { fakeIntentModel } from "../evals/fake-intent-model.ts";
import { startOpenAiCompatibleServer } from "../tests/support/openai-compatible-server.ts";

const repository = path.resolve(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    postgres: { type: "string" },
    "skip-curve": { type: "boolean" },
    "curve-batch": { type: "string" },
    keep: { type: "boolean" },
  },
});

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function cli(args: string[], environment: Record<string, string>): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(repository, "evals/cli.ts"), ...args],
      {
        cwd: repository,
        env: { ...process.env, ...environment },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const result = { code, stdout, stderr, seconds: (performance.now() - started) / 1000 };
      if (code !== 0) reject(new Error(`eval ${args.join(" ")} exited ${code}:\n${stderr}`));
      else resolve(result);
    });
  });
}

const dataDirectory = await mkdtemp(path.join(os.tmpdir(), "calibrate-bench-eval-"));
const clinc = JSON.parse(
  await readFile(path.join(repository, "datasets/clinc150/data_full.json"), "utf8"),
) as Record<string, Array<[string, string]>>;
const answers = new Map<string, string>();
for (const split of ["train", "val", "test"])
  for (const [text, label] of clinc[split]) answers.set(text, label);
// A plausible model: right most of the time, wrong on every 12th utterance.
let requestCount = 0;
const server = await startOpenAiCompatibleServer({
  fallback: fakeIntentModel({
    answers,
    wrong: ({ text }) => text.length % 12 === 0,
    onRequest: () => requestCount++,
  }),
});
const rows: Array<Record<string, string | number>> = [];
const runMetrics = (result: CliResult) => JSON.parse(result.stdout).metrics;

/** Import, local eval, LLM eval (seeding the cache) and the cached re-run on one database. */
async function databaseSteps(name: string, database: Record<string, string>): Promise<void> {
  const environment = {
    ...database,
    OPENAI_BASE_URL: server.baseUrl,
    OPENAI_API_KEY: server.apiKey,
    LLM_CONCURRENCY: "8",
  };
  const imported = await cli(["datasets", "import", "--public", "clinc150", "--json"], environment);
  const version = JSON.parse(imported.stdout).version;
  rows.push({
    database: name,
    step: "import CLINC150 (public splits)",
    seconds: round(imported.seconds),
    target: "–",
    result: `${version.sampleCount} samples: train ${version.counts.train}, validation ${version.counts.validation}, test ${version.counts.test}`,
  });

  const local = await cli(
    ["run", "--dataset", "clinc150", "--target", "local", "--json"],
    environment,
  );
  const localMetrics = runMetrics(local);
  rows.push({
    database: name,
    step: `local engine eval, ${localMetrics.caseCount} cases, training included (CLI end to end)`,
    seconds: round(local.seconds),
    target: "< 10 s",
    result:
      `${local.seconds < 10 ? "met" : "MISSED"}; accuracy ${percent(localMetrics.accuracy)}, macro-F1 ${percent(localMetrics.macroF1)}, ` +
      `training ${round(localMetrics.training.durationMs / 1000)} s on ${localMetrics.training.samples}, ` +
      `run in process ${round(localMetrics.durationMs / 1000)} s, ` +
      `predict p50 ${localMetrics.latencyP50Ms.toFixed(3)} ms / p95 ${localMetrics.latencyP95Ms.toFixed(3)} ms`,
  });

  const before = requestCount;
  const first = await cli(
    ["run", "--dataset", "clinc150", "--target", "sales-call@v1", "--concurrency", "8", "--json"],
    environment,
  );
  const firstMetrics = runMetrics(first);
  const firstRequests = requestCount - before;
  rows.push({
    database: name,
    step: `LLM eval, ${firstMetrics.caseCount} cases, local OpenAI-compatible server (seeds the cache)`,
    seconds: round(first.seconds),
    target: "–",
    result: `${firstRequests} requests, accuracy ${percent(firstMetrics.accuracy)}, ${firstMetrics.tokens.total} tokens, est. $${firstMetrics.costUsd.toFixed(4)}`,
  });

  const cached = await cli(
    ["run", "--dataset", "clinc150", "--target", "sales-call@v1", "--json"],
    environment,
  );
  const cachedMetrics = runMetrics(cached);
  const cachedRequests = requestCount - before - firstRequests;
  rows.push({
    database: name,
    step: `cached re-run of the LLM eval, ${cachedMetrics.caseCount} cases (CLI end to end)`,
    seconds: round(cached.seconds),
    target: "< 5 s, 0 requests",
    result:
      `${cached.seconds < 5 && cachedRequests === 0 ? "met" : "MISSED"}; ${cachedRequests} requests, ${cachedMetrics.cachedCases} cached, ` +
      `spent $${cachedMetrics.spent.costUsd}, same accuracy ${percent(cachedMetrics.accuracy)}, ` +
      `run in process ${round(cachedMetrics.durationMs / 1000)} s`,
  });
}

try {
  await databaseSteps("pglite", { DATA_DIR: dataDirectory, DATABASE_URL: "" });
  if (values.postgres) {
    const name = `calibrate_bench_${randomBytes(5).toString("hex")}`;
    const admin = new pg.Client({ connectionString: values.postgres });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(values.postgres);
      url.pathname = `/${name}`;
      await databaseSteps("postgres", { DATA_DIR: dataDirectory, DATABASE_URL: url.toString() });
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }
  const environment = {
    DATA_DIR: dataDirectory,
    DATABASE_URL: "",
    OPENAI_BASE_URL: server.baseUrl,
    OPENAI_API_KEY: server.apiKey,
  };
  let curve: {
    points: Array<{
      strategy: string;
      labelsPerIntent: number;
      totalLabels: number;
      accuracyMean: number;
      accuracyStd: number | null;
    }>;
  } | null = null;
  if (!values["skip-curve"]) {
    // Outside the data directory, which is removed at the end.
    const prefix = path.join(os.tmpdir(), "calibrate-bench-curve-clinc150");
    const curveArguments = [
      "curve",
      "--dataset",
      "clinc150",
      "--sizes",
      "1,2,5,10,20,50",
      "--seeds",
      "3",
      "--out",
      prefix,
      "--json",
    ];
    if (values["curve-batch"]) curveArguments.push("--batch", values["curve-batch"]);
    const result = await cli(curveArguments, environment);
    curve = JSON.parse(result.stdout);
    rows.push({
      database: "pglite",
      step: "label-efficiency curve, CLINC150, sizes 1–50 per intent × random/uncertainty × 3 seeds",
      seconds: round(result.seconds),
      target: "–",
      result: `${curve!.points.length} points; CSV/JSON at ${prefix}.{csv,json}`,
    });
  }

  console.table(rows);
  if (curve) {
    const sizes = [...new Set(curve.points.map((point) => point.labelsPerIntent))];
    console.table(
      sizes.map((size) => {
        const of = (strategy: string) =>
          curve!.points.find(
            (point) => point.strategy === strategy && point.labelsPerIntent === size,
          );
        const cell = (strategy: string) => {
          const point = of(strategy);
          return point
            ? `${percent(point.accuracyMean)} ± ${((point.accuracyStd ?? 0) * 100).toFixed(1)}`
            : "–";
        };
        return {
          "labels per intent": size,
          "total labels": of("random")?.totalLabels ?? "–",
          random: cell("random"),
          uncertainty: cell("uncertainty"),
        };
      }),
    );
  }
} finally {
  await server.close();
  if (!values.keep) await rm(dataDirectory, { recursive: true, force: true });
  else console.log(`data directory kept: ${dataDirectory}`);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function percent(value: number | null): string {
  return value === null ? "–" : `${(value * 100).toFixed(1)}%`;
}
