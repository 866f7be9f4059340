/**
 * The eval harness end to end on each database: a real slice of CLINC150 through the local
 * engine, LLM runs against a local OpenAI-compatible server (cached re-runs make no request, a
 * failing case is an error row), the HTTP API with its role boundaries and the `eval-run` job,
 * and the CLI's gate exit codes as a child process on a fresh PGlite data directory.
 */
import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import express from "express";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../core/auth/sessions.ts";
import { loadConfig } from "../core/config.ts";
import { importPublicDataset, loadSamples, type DatasetVersion } from "../core/dataset/datasets.ts";
import {
  defaultPromptsDirectory,
  getEvalRun,
  loadEvalResults,
  runEval,
  type EvalEnvironment,
} from "../core/eval/eval-runs.ts";
import { createDispatcher, type JobTransport } from "../core/jobs/dispatch.ts";
import { getJob } from "../core/jobs/job-store.ts";
import { runJob } from "../core/jobs/runner.ts";
import { fakeIntentModel } from "../evals/fake-intent-model.ts";
import type { AppContext } from "../server/context.ts";
import { authenticate } from "../server/http/authenticate.ts";
import { errorHandler, notFoundHandler } from "../server/http/errors.ts";
import { evalRoutes } from "../server/routes/evals.ts";
import { evalRunHandler } from "../workers/processors/eval-run.ts";
import { createTestDatabase, databaseKinds, type TestDatabase } from "./support/databases.ts";
import { createOrganisation, type Organisation } from "./support/fixtures.ts";
import {
  startOpenAiCompatibleServer,
  type OpenAiCompatibleServer,
} from "./support/openai-compatible-server.ts";

const repository = path.resolve(import.meta.dirname, "..");
/** Ten CLINC150 intents: a real slice, small enough to train on in a moment. */
const sliceLabels = [
  "balance",
  "book_flight",
  "cancel",
  "goodbye",
  "greeting",
  "pto_request",
  "recipe",
  "timer",
  "translate",
  "weather",
];

/** Prompt sets for the tests: v1 (production), v2 (same answers), v3 (gets every greeting wrong). */
async function createPromptsDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "calibrate-eval-prompts-"));
  const set = path.join(directory, "sales-call");
  await cp(path.join(defaultPromptsDirectory, "sales-call"), set, { recursive: true });
  for (const [version, line] of [
    ["v2", "Be precise."],
    ["v3", "Be hasty."],
  ]) {
    await cp(path.join(set, "v1"), path.join(set, version), { recursive: true });
    const system = path.join(set, version, "system.md");
    await writeFile(system, `${await readFile(system, "utf8")}\n${line}\n`);
  }
  await writeFile(path.join(set, "labels.json"), JSON.stringify({ production: "v1" }));
  return directory;
}

function startModelServer(answers: Map<string, string>, failText?: string) {
  return startOpenAiCompatibleServer({
    fallback: fakeIntentModel({
      answers,
      wrong: ({ text, system }) => system.includes("Be hasty.") && answers.get(text) === "greeting",
      fail: ({ text }) =>
        text === failText ? { status: 400, message: "the model refused this one" } : null,
    }),
  });
}

describe.each(databaseKinds)("evals on %s", (kind) => {
  let database: TestDatabase;
  let organisation: Organisation;
  let slice: DatasetVersion;
  let answers: Map<string, string>;
  let promptsDirectory: string;
  let server: OpenAiCompatibleServer;
  let environment: EvalEnvironment;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    ({ version: slice } = await importPublicDataset(database.db, {
      workspaceId: organisation.workspaceId,
      set: "clinc150",
      name: "clinc-slice",
      labels: sliceLabels,
    }));
    const samples = await loadSamples(database.db, slice.id);
    answers = new Map(samples.map((sample) => [sample.text, sample.label]));
    promptsDirectory = await createPromptsDirectory();
    server = await startModelServer(answers);
    environment = {
      db: database.db,
      promptsDirectory,
      llm: { baseUrl: server.baseUrl, apiKey: server.apiKey, concurrency: 4, maxAttempts: 1 },
    };
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
    if (promptsDirectory) await rm(promptsDirectory, { recursive: true, force: true });
  });

  it("imports the slice with CLINC150's own splits", () => {
    expect(slice.labelCount).toBe(10);
    expect(slice.counts.train).toBeGreaterThanOrEqual(10 * 50);
    expect(slice.counts.test).toBeGreaterThanOrEqual(10 * 10);
    expect(slice.counts.validation).toBeGreaterThan(0);
  });

  it("evaluates the local engine: trained on train, measured on test", async () => {
    const run = await runEval(environment, {
      workspaceId: organisation.workspaceId,
      datasetVersionId: slice.id,
      target: { kind: "local" },
    });
    expect(run.status).toBe("completed");
    const metrics = run.metrics!;
    expect(metrics.caseCount).toBe(slice.counts.test);
    expect(metrics.training).toMatchObject({ samples: slice.counts.train, useContext: false });
    // Ten well-separated intents with a hundred examples each: the engine must be good at this.
    expect(metrics.accuracy).toBeGreaterThan(0.85);
    expect(metrics.errors).toBe(0);
    expect(metrics.costUsd).toBeNull();
    expect(Object.keys(metrics.perLabel).sort()).toEqual(sliceLabels);
    const results = await loadEvalResults(database.db, run.id);
    expect(results).toHaveLength(slice.counts.test);
    expect(results.filter((result) => result.predicted === result.expected)).toHaveLength(
      metrics.correct,
    );
    expect(results.every((result) => result.confidence! > 0 && result.confidence! <= 1)).toBe(true);
  });

  it("evaluates a prompt set through the OpenAI-compatible server, then re-runs from the cache with zero requests", async () => {
    server.reset();
    const input = {
      workspaceId: organisation.workspaceId,
      datasetVersionId: slice.id,
      target: { kind: "prompt_set" as const, set: "sales-call", version: "v1" },
      options: { limit: 40, concurrency: 3 },
    };
    const first = await runEval(environment, input);
    expect(server.chatRequests()).toHaveLength(40);
    expect(server.maxConcurrentRequests).toBeLessThanOrEqual(3);
    expect(first.metrics).toMatchObject({
      caseCount: 40,
      accuracy: 1,
      cachedCases: 0,
      modelRequests: 40,
    });
    expect(first.metrics!.spent.inputTokens).toBeGreaterThan(0);

    server.reset();
    const again = await runEval(environment, input);
    expect(server.requests).toHaveLength(0);
    expect(again.metrics).toMatchObject({
      caseCount: 40,
      accuracy: 1,
      cachedCases: 40,
      modelRequests: 0,
    });
    expect(again.metrics!.spent.costUsd).toBe(0);
  });

  it("records a failing case as an error row and finishes the run", async () => {
    const cases = (await loadSamples(database.db, slice.id, { splits: ["test"] })).slice(0, 10);
    const failing = await startModelServer(answers, cases[3].text);
    try {
      const run = await runEval(
        { ...environment, llm: { ...environment.llm!, baseUrl: failing.baseUrl } },
        {
          workspaceId: organisation.workspaceId,
          datasetVersionId: slice.id,
          target: { kind: "prompt_set", set: "sales-call", version: "v2" },
          options: { limit: 10 },
        },
      );
      expect(run.status).toBe("completed");
      expect(run.metrics).toMatchObject({ caseCount: 10, errors: 1, correct: 9 });
      const results = await loadEvalResults(database.db, run.id);
      expect(results[3]).toMatchObject({
        caseKey: cases[3].caseKey,
        text: cases[3].text,
        predicted: null,
        cached: false,
      });
      expect(results[3].error).toMatch(/refused|400/);
      expect(results.filter((result) => result.error === null)).toHaveLength(9);
    } finally {
      await failing.close();
    }
  });

  describe("over HTTP", () => {
    let baseUrl: string;
    let close: () => Promise<void>;
    const queued: string[] = [];
    const tinyRows = [
      { text: "我想了解一下价格", label: "pricing" },
      { text: "多少钱一年？", label: "pricing" },
      { text: "How much is it?", label: "pricing" },
      { text: "下周二见", label: "scheduling" },
      { text: "See you Tuesday", label: "scheduling" },
      { text: "Let's meet at 3", label: "scheduling" },
    ];
    const tokens: Record<"admin" | "trainer" | "manager" | "rep", string> = {
      admin: "",
      trainer: "",
      manager: "",
      rep: "",
    };

    /** Runs the eval-run jobs the API enqueued, as a worker would. */
    async function work() {
      const config = loadConfig({
        DATA_DIR: os.tmpdir(),
        OPENAI_BASE_URL: server.baseUrl,
        OPENAI_API_KEY: server.apiKey,
      });
      const handler = evalRunHandler({ db: database.db, config, promptsDirectory });
      while (queued.length > 0) {
        const job = await getJob(database.db, queued.shift()!);
        await runJob({ db: database.db }, "eval-run", job.payload, handler, {
          attemptsMade: 0,
          attemptsAllowed: 2,
        });
      }
    }

    const call = async (
      who: keyof typeof tokens,
      method: string,
      url: string,
      body?: unknown,
      type = "application/json",
    ) => {
      const response = await fetch(`${baseUrl}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens[who]}`,
          ...(body !== undefined ? { "content-type": type } : {}),
        },
        body:
          body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: any = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // JSONL or an empty body: keep the text.
      }
      return { status: response.status, body: parsed, headers: response.headers };
    };

    beforeAll(async () => {
      // The transport only records hand-overs; `work()` plays the worker.
      const transport: JobTransport = {
        add: async (_queue, jobId) => void queued.push(jobId),
        stateOf: async () => "missing",
        remove: async () => {},
      };
      const context = {
        db: database.db,
        dispatcher: createDispatcher({ db: database.db, transport }),
        logger: pino({ level: "silent" }),
      } as unknown as AppContext;
      const app = express();
      const api = express.Router();
      api.use(express.json({ limit: "2mb" }));
      api.use(authenticate(database.db));
      api.use(evalRoutes(context, { promptsDirectory }));
      api.use(notFoundHandler());
      app.use("/api", api);
      app.use(errorHandler(pino({ level: "silent" })));
      const listening = app.listen(0, "127.0.0.1");
      await new Promise<void>((resolve) => listening.once("listening", () => resolve()));
      baseUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
      close = () => new Promise((resolve) => listening.close(() => resolve()));
      // The model knows the answers for the small dataset too.
      for (const row of tinyRows) answers.set(row.text, row.label);
      // Three intents are enough for the gate, and keep the runs short.
      await importPublicDataset(database.db, {
        workspaceId: organisation.workspaceId,
        set: "clinc150",
        name: "gate-set",
        labels: ["goodbye", "greeting", "weather"],
      });
      const { users } = organisation;
      for (const [role, user] of [
        ["admin", users.admin],
        ["trainer", users.trainer],
        ["manager", users.manager],
        ["rep", users.northRep],
      ] as const) {
        tokens[role] = (await createApiToken(database.db, user.id, { name: "evals" })).token;
      }
    });

    afterAll(async () => {
      await close?.();
    });

    it("keeps reps out and lets managers read but not run", async () => {
      expect((await call("rep", "GET", "/api/datasets")).status).toBe(403);
      expect((await call("rep", "GET", "/api/eval-runs")).status).toBe(403);
      const list = await call("manager", "GET", "/api/datasets");
      expect(list.status).toBe(200);
      expect(list.body.datasets.map((dataset: { name: string }) => dataset.name)).toContain(
        "clinc-slice",
      );
      expect(
        (
          await call("manager", "POST", "/api/eval-runs", {
            dataset: "clinc-slice",
            target: "local",
          })
        ).status,
      ).toBe(403);
      expect(
        (await call("manager", "POST", "/api/datasets/import", { public: "clinc150" })).status,
      ).toBe(403);
    });

    it("imports JSONL, exports it back, and rejects a bad file naming the line", async () => {
      const jsonl = tinyRows.map((row) => JSON.stringify(row)).join("\n");
      const imported = await call(
        "trainer",
        "POST",
        "/api/datasets/import?name=tiny",
        jsonl,
        "application/x-ndjson",
      );
      expect(imported.status).toBe(201);
      expect(imported.body.version).toMatchObject({
        version: 1,
        sampleCount: 6,
        counts: { train: 4, test: 2 },
      });
      const again = await call("trainer", "POST", "/api/datasets/import", {
        name: "tiny",
        format: "jsonl",
        content: jsonl,
      });
      expect(again.status).toBe(200);
      expect(again.body.created).toBe(false);

      const exported = await call(
        "manager",
        "GET",
        `/api/datasets/${imported.body.dataset.id}/versions/1/export?split=test`,
      );
      expect(exported.status).toBe(200);
      expect(exported.headers.get("content-type")).toMatch(/x-ndjson/);
      const lines = String(exported.body)
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(lines).toHaveLength(2);
      expect(lines.every((line) => line.metadata.split === "test")).toBe(true);

      const bad = await call("trainer", "POST", "/api/datasets/import", {
        name: "broken",
        format: "jsonl",
        content: '{"text":"a","label":"x"}\n{"text":"b"}\n',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/line 2/);
      expect(
        (await call("trainer", "GET", "/api/datasets")).body.datasets.map(
          (dataset: { name: string }) => dataset.name,
        ),
      ).not.toContain("broken");
    });

    it("refuses a dataset from reviewed labels when there are none, leaving nothing behind", async () => {
      const created = await call("trainer", "POST", "/api/datasets", {
        name: "reviewed",
        filters: { customerStages: ["negotiation"] },
      });
      expect(created.status).toBe(400);
      expect(created.body.error.message).toMatch(/No reviewed intent labels/);
      const names = (await call("trainer", "GET", "/api/datasets")).body.datasets.map(
        (dataset: { name: string }) => dataset.name,
      );
      expect(names).not.toContain("reviewed");
      expect(
        (
          await call("trainer", "POST", "/api/datasets", {
            name: "x",
            filters: { from: "yesterday" },
          })
        ).status,
      ).toBe(400);
    });

    it("creates a run as a queued job, which the worker completes", async () => {
      const created = await call("trainer", "POST", "/api/eval-runs", {
        dataset: "tiny",
        target: "sales-call@v1",
      });
      expect(created.status).toBe(202);
      expect(created.body.run).toMatchObject({
        status: "queued",
        targetDescription: "sales-call@v1",
        datasetName: "tiny",
      });
      const job = await getJob(database.db, created.body.jobId);
      expect(job).toMatchObject({
        queue: "eval-run",
        payload: { evalRunId: created.body.run.id },
        subjectType: "eval_run",
      });
      await work();
      expect((await getJob(database.db, created.body.jobId)).state).toBe("completed");
      const run = await call("manager", "GET", `/api/eval-runs/${created.body.run.id}`);
      expect(run.body.run).toMatchObject({
        status: "completed",
        progress: 1,
        metrics: { caseCount: 2, accuracy: 1 },
      });
      // The page names intents from the workspace's taxonomy.
      expect(run.body.intentNames.needs_discovery).toEqual({
        en: expect.any(String),
        zh: expect.any(String),
      });
      const results = await call(
        "manager",
        "GET",
        `/api/eval-runs/${created.body.run.id}/results?wrong=true`,
      );
      expect(results.body).toMatchObject({ total: 0, results: [] });

      expect(
        (
          await call("trainer", "POST", "/api/eval-runs", {
            dataset: "tiny",
            target: "sales-call@v9",
          })
        ).status,
      ).toBe(404);
      expect(
        (await call("trainer", "POST", "/api/eval-runs", { dataset: "tiny@7", target: "local" }))
          .status,
      ).toBe(404);
      expect(
        (await call("trainer", "POST", "/api/eval-runs", { dataset: "tiny", target: "no version" }))
          .status,
      ).toBe(400);
    });

    it("gates a prompt-set version: 202 while runs are pending, then the verdict", async () => {
      const pending = await call(
        "trainer",
        "POST",
        "/api/prompt-sets/sales-call/versions/v3/gate",
        { dataset: "gate-set", margin: 0.01 },
      );
      expect(pending.status).toBe(202);
      // v3 is new; production (v1) has no full run on this dataset yet either.
      expect(
        pending.body.runs.map((run: { targetDescription: string }) => run.targetDescription).sort(),
      ).toEqual(["sales-call@v1", "sales-call@v3"]);
      const again = await call("trainer", "POST", "/api/prompt-sets/sales-call/versions/v3/gate", {
        dataset: "gate-set",
      });
      expect(again.body.runs.map((run: { id: string }) => run.id).sort()).toEqual(
        pending.body.runs.map((run: { id: string }) => run.id).sort(),
      );
      await work();
      const verdict = await call(
        "trainer",
        "POST",
        "/api/prompt-sets/sales-call/versions/v3/gate",
        { dataset: "gate-set", margin: 0.01 },
      );
      expect(verdict.status).toBe(200);
      expect(verdict.body).toMatchObject({ status: "done", passed: false, metric: "accuracy" });
      // v3 gets every greeting wrong: a third of the test split.
      expect(verdict.body.delta).toBeCloseTo(-1 / 3, 9);

      const comparison = await call(
        "manager",
        "GET",
        `/api/eval-runs/compare?baseline=${verdict.body.baselineRun.id}&candidate=${verdict.body.candidateRun.id}`,
      );
      expect(comparison.status).toBe(200);
      expect(comparison.body.rightToWrong.length).toBeGreaterThan(0);
      expect(
        comparison.body.rightToWrong.every(
          (flip: { candidateExpected: string }) => flip.candidateExpected === "greeting",
        ),
      ).toBe(true);
      expect(
        (await getEvalRun(database.db, organisation.workspaceId, verdict.body.candidateRun.id))
          .metrics!.perLabel.greeting.recall,
      ).toBe(0);
    });
  });
});

/** Runs `npm run eval -- …` as a child process. */
function runCli(
  args: string[],
  environment: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(repository, "evals/cli.ts"), ...args],
      {
        cwd: repository,
        env: { ...process.env, DATABASE_URL: "", LOG_LEVEL: "silent", ...environment },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the CLI gate", () => {
  let dataDirectory: string;
  let promptsDirectory: string;
  let server: OpenAiCompatibleServer;
  let environment: Record<string, string>;

  beforeAll(async () => {
    dataDirectory = await mkdtemp(path.join(os.tmpdir(), "calibrate-eval-cli-"));
    promptsDirectory = await createPromptsDirectory();
    const rows = [
      ...["hello there", "good morning", "hi, how are you", "hey", "你好", "早上好"].map(
        (text) => ({ text, label: "greeting" }),
      ),
      ...[
        "what's the weather today",
        "will it rain tomorrow",
        "is it sunny outside",
        "明天会下雨吗",
        "今天天气怎么样",
        "how hot is it",
      ].map((text) => ({ text, label: "weather" })),
    ];
    await writeFile(
      path.join(dataDirectory, "small.jsonl"),
      rows.map((row) => JSON.stringify(row)).join("\n") + "\n",
    );
    server = await startModelServer(new Map(rows.map((row) => [row.text, row.label])));
    environment = {
      DATA_DIR: dataDirectory,
      OPENAI_BASE_URL: server.baseUrl,
      OPENAI_API_KEY: server.apiKey,
    };
  });

  afterAll(async () => {
    await server?.close();
    if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
    if (promptsDirectory) await rm(promptsDirectory, { recursive: true, force: true });
  });

  it(
    "exits 0 when the candidate keeps up, 1 when it is worse, 2 on wrong usage",
    { timeout: 240_000 },
    async () => {
      const imported = await runCli(
        [
          "datasets",
          "import",
          "--file",
          path.join(dataDirectory, "small.jsonl"),
          "--name",
          "small",
          "--test-share",
          "0.5",
        ],
        environment,
      );
      expect(imported.stderr).toBe("");
      expect(imported.code).toBe(0);
      expect(imported.stdout).toMatch(/Imported small@1: 12 samples, 2 labels/);

      const gate = [
        "gate",
        "--dataset",
        "small",
        "--baseline",
        "production",
        "--margin",
        "0.01",
        "--prompts",
        promptsDirectory,
      ];
      const passed = await runCli([...gate, "--candidate", "sales-call@v2"], environment);
      expect(passed.stdout).toMatch(/^PASS: accuracy 1 is equal to baseline 1/m);
      expect(passed.code).toBe(0);

      const failed = await runCli([...gate, "--candidate", "sales-call@v3"], environment);
      // v3 gets the three greetings of the test split wrong.
      expect(failed.stdout).toMatch(
        /^FAIL: accuracy 0\.5 is 0\.5 below baseline 1 \(allowed margin 0\.01\)/m,
      );
      expect(failed.code).toBe(1);
      // Three versions × six test cases: the production baseline ran once, then was reused.
      expect(server.chatRequests().length).toBe(3 * 6);

      const usage = await runCli(
        ["gate", "--dataset", "small", "--candidate", "sales-call"],
        environment,
      );
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/must be "local" or a prompt-set version/);
      const unknown = await runCli(
        ["gate", "--dataset", "small", "--candiate", "sales-call@v2"],
        environment,
      );
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/candiate/);
    },
  );
});
