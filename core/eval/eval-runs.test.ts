import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fakeIntentModel } from "../../evals/fake-intent-model.ts";
import {
  startOpenAiCompatibleServer,
  type OpenAiCompatibleServer,
} from "../../tests/support/openai-compatible-server.ts";
import { createOrganisation } from "../../tests/support/fixtures.ts";
import { importDatasetSamples, type NewSample } from "../dataset/datasets.ts";
import { createVersion, moveLabel, syncPromptSetsFromFiles } from "../draft/prompt-set-store.ts";
import { openPglite, type Db } from "../db/database.ts";
import { migrate } from "../db/migrate.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import {
  compareEvalRuns,
  createEvalRun,
  defaultPromptsDirectory,
  executeEvalRun,
  gateEvalRuns,
  getEvalRun,
  intentTaxonomyForLabels,
  listEvalRuns,
  loadEvalResults,
  loadPromptSetVersion,
  noIntentPrediction,
  parseEvalTarget,
  resolveBaselineTarget,
  runEval,
  runGate,
  type EvalEnvironment,
} from "./eval-runs.ts";

// Twelve utterances, English and Chinese, some with the previous utterance as context.
const samples: NewSample[] = [
  ["How much does the premium plan cost?", "pricing_question"],
  ["What is the price per seat?", "pricing_question"],
  ["价格是多少？", "pricing_question", "我们想了解一下方案"],
  ["Is there a discount for a yearly contract?", "pricing_question"],
  ["That is way over our budget.", "价格异议", "The total is 20k a year."],
  ["太贵了，我们预算不够", "价格异议"],
  ["Your competitor is cheaper.", "价格异议"],
  ["这个价格我们接受不了", "价格异议", "报价是每年二十万"],
  ["Let's meet next Tuesday at 3.", "scheduling"],
  ["下周三下午可以吗？", "scheduling", "我们什么时候再聊？"],
  ["Can we set up a demo on Friday?", "scheduling"],
  ["我周五上午有空", "scheduling"],
].map(([text, label, previousText]) => ({
  text,
  label,
  ...(previousText ? { previousText } : {}),
  split: "test" as const,
}));
const trainSample: NewSample = {
  text: "Send me the pricing sheet",
  label: "pricing_question",
  split: "train",
};
const answers = new Map(samples.map((sample) => [sample.text, sample.label]));

let db: Db;
let workspaceId: string;
let datasetVersionId: string;
let server: OpenAiCompatibleServer;
let promptsDirectory: string;
let environment: EvalEnvironment;
const failingText = "Your competitor is cheaper.";

beforeAll(async () => {
  db = await openPglite(null);
  await migrate(db);
  workspaceId = (await db.query<{ id: string }>("SELECT id FROM workspaces")).rows[0].id;
  const { version } = await importDatasetSamples(db, {
    workspaceId,
    name: "calls",
    samples: [...samples, trainSample],
  });
  datasetVersionId = version.id;

  // Two versions of the real prompt set: v2 differs by one line, and the fake model gets
  // every English pricing question wrong when it sees that line.
  promptsDirectory = await mkdtemp(path.join(os.tmpdir(), "calibrate-prompts-"));
  await cp(
    path.join(defaultPromptsDirectory, "sales-call"),
    path.join(promptsDirectory, "sales-call"),
    {
      recursive: true,
    },
  );
  await cp(
    path.join(promptsDirectory, "sales-call", "v1"),
    path.join(promptsDirectory, "sales-call", "v2"),
    { recursive: true },
  );
  const system = path.join(promptsDirectory, "sales-call", "v2", "system.md");
  await writeFile(system, `${await readFile(system, "utf8")}\nBe brief.\n`);
  await writeFile(
    path.join(promptsDirectory, "sales-call", "labels.json"),
    JSON.stringify({ production: "v1" }),
  );

  server = await startOpenAiCompatibleServer({
    fallback: fakeIntentModel({
      answers,
      delayMs: 5,
      wrong: ({ text, system }) =>
        system.includes("Be brief.") &&
        answers.get(text) === "pricing_question" &&
        /^[A-Z]/.test(text),
    }),
  });
  environment = {
    db,
    promptsDirectory,
    llm: { baseUrl: server.baseUrl, apiKey: server.apiKey, concurrency: 3, maxAttempts: 1 },
  };
});

afterAll(async () => {
  await server?.close();
  await db?.close();
  if (promptsDirectory) await rm(promptsDirectory, { recursive: true, force: true });
});

beforeEach(() => server.reset());

describe("intentTaxonomyForLabels", () => {
  it("keeps snake_case labels as ids and gives others unique snake_case ids", () => {
    const { intents, labelOfId } = intentTaxonomyForLabels([
      "pricing_question",
      "task-related-inquiry",
      "价格异议",
      "Task related inquiry",
      "2nd_try",
    ]);
    expect(intents.map((intent) => intent.id)).toEqual([
      "pricing_question",
      "task_related_inquiry",
      "intent_3",
      "task_related_inquiry_2",
      "intent_2nd_try",
    ]);
    for (const intent of intents) expect(intent.id).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(labelOfId.get("intent_3")).toBe("价格异议");
    expect(intents[2].name).toEqual({ en: "价格异议", zh: "价格异议" });
  });
});

describe("parseEvalTarget", () => {
  it("reads local and set@version, and rejects anything else", () => {
    expect(parseEvalTarget("local")).toEqual({ kind: "local" });
    expect(parseEvalTarget(" sales-call@v1.2 ")).toEqual({
      kind: "prompt_set",
      set: "sales-call",
      version: "v1.2",
    });
    expect(() => parseEvalTarget("sales-call")).toThrow(ValidationError);
    expect(() => parseEvalTarget("Sales Call@v1")).toThrow(ValidationError);
  });

  it("reads agent versions as agent:<agent>@v<n>", () => {
    expect(parseEvalTarget("agent:action-items@v2")).toEqual({ kind: "agent", agent: "action-items", version: "v2" });
    expect(parseEvalTarget("agent:intent-tagger@v01")).toEqual({ kind: "agent", agent: "intent-tagger", version: "v1" });
    expect(() => parseEvalTarget("agent:action-items@2")).toThrow(ValidationError);
    expect(() => parseEvalTarget("agent:Action@v1")).toThrow(ValidationError);
  });
});

describe("LLM eval runs", () => {
  it("classifies each utterance with its context, stores results and metrics, and respects concurrency", async () => {
    const progress: number[] = [];
    const run = await runEval(environment, {
      workspaceId,
      datasetVersionId,
      target: { kind: "prompt_set", set: "sales-call", version: "v1" },
      options: { concurrency: 2 },
      onProgress: (event) => event.stage === "cases" && progress.push(event.done),
    });
    expect(run.status).toBe("completed");
    expect(run.fingerprint).toMatch(/^prompt_set:sales-call@v1:[0-9a-f]{64}$/);
    const requests = server.chatRequests();
    expect(requests).toHaveLength(samples.length);
    expect(server.maxConcurrentRequests).toBeLessThanOrEqual(2);
    expect(progress.at(-1)).toBe(samples.length);

    // The previous utterance goes in as context; the utterance itself is the last line.
    const withContext = requests.find((request) =>
      JSON.stringify(request.messages).includes("报价是每年二十万"),
    )!;
    const user = String(withContext.messages.at(-1)!.content);
    expect(user).toMatch(
      /\[0\] previous speaker: 报价是每年二十万\n\[1\] speaker: 这个价格我们接受不了/,
    );
    // The taxonomy is the dataset's labels; the Chinese label got a snake_case id.
    expect(String(withContext.messages[0].content)).toMatch(/- intent_3: 价格异议 \/ 价格异议/);

    const metrics = run.metrics!;
    expect(metrics.caseCount).toBe(12);
    expect(metrics.accuracy).toBe(1);
    expect(metrics.macroF1).toBe(1);
    expect(metrics.cachedCases).toBe(0);
    expect(metrics.modelRequests).toBe(12);
    expect(metrics.tokens.input).toBeGreaterThan(0);
    expect(metrics.costUsd).toBeGreaterThan(0);
    expect(metrics.spent.costUsd).toBeCloseTo(metrics.costUsd!, 6);
    expect(metrics.perLabel["价格异议"]).toMatchObject({ support: 4, truePositives: 4 });
    expect(metrics.confusion.rows).toEqual(["pricing_question", "scheduling", "价格异议"]);

    const results = await loadEvalResults(db, run.id);
    expect(results.map((result) => result.expected)).toEqual(samples.map((sample) => sample.label));
    expect(results.every((result) => result.predicted === result.expected && !result.cached)).toBe(
      true,
    );
    expect(results[0].confidence).toBeCloseTo(0.9, 5);
    expect(results[0].inputTokens).toBeGreaterThan(0);
  });

  it("re-runs from the cache without a single request, and reports the same results", async () => {
    const first = (await listEvalRuns(db, workspaceId)).find((run) => run.status === "completed")!;
    const again = await runEval(environment, {
      workspaceId,
      datasetVersionId,
      target: { kind: "prompt_set", set: "sales-call", version: "v1" },
    });
    expect(server.requests).toHaveLength(0);
    const metrics = again.metrics!;
    expect(metrics.cachedCases).toBe(12);
    expect(metrics.modelRequests).toBe(0);
    expect(metrics.spent).toEqual({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
    // What the target costs on this dataset does not change because it was cached.
    expect(metrics.costUsd).toBeCloseTo(first.metrics!.costUsd!, 6);
    const [before, after] = await Promise.all([
      loadEvalResults(db, first.id),
      loadEvalResults(db, again.id),
    ]);
    expect(after.map((result) => result.predicted)).toEqual(
      before.map((result) => result.predicted),
    );
    expect(after.every((result) => result.cached)).toBe(true);
  });

  it("records a failing case as an error row, finishes the run, and asks again next time", async () => {
    const failing = await startOpenAiCompatibleServer({
      fallback: fakeIntentModel({
        answers,
        fail: ({ text }) =>
          text === failingText ? { status: 400, message: "bad request for this one" } : null,
        // v3 is not cached: every case goes to this server.
      }),
    });
    try {
      const directory = path.join(promptsDirectory, "sales-call");
      await cp(path.join(directory, "v1"), path.join(directory, "v3"), { recursive: true });
      await writeFile(
        path.join(directory, "v3", "user.md"),
        `${await readFile(path.join(directory, "v3", "user.md"), "utf8")}\nThanks.\n`,
      );
      const failingEnvironment = {
        ...environment,
        llm: { ...environment.llm!, baseUrl: failing.baseUrl, apiKey: failing.apiKey },
      };
      const target = { kind: "prompt_set" as const, set: "sales-call", version: "v3" };
      const run = await runEval(failingEnvironment, { workspaceId, datasetVersionId, target });
      expect(run.status).toBe("completed");
      expect(run.metrics!.errors).toBe(1);
      expect(run.metrics!.errorRate).toBeCloseTo(1 / 12, 9);
      expect(run.metrics!.accuracy).toBeCloseTo(11 / 12, 9);
      const results = await loadEvalResults(db, run.id);
      const failed = results.filter((result) => result.error !== null);
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ expected: "价格异议", predicted: null });
      expect(failed[0].error).toMatch(/bad request for this one|400/);

      // Failures are not cached: the re-run asks for exactly that case again.
      failing.reset();
      const again = await runEval(failingEnvironment, { workspaceId, datasetVersionId, target });
      expect(failing.chatRequests()).toHaveLength(1);
      expect(again.metrics!.cachedCases).toBe(11);
    } finally {
      await failing.close();
    }
  });

  it("needs an endpoint only for cases that are not cached", async () => {
    const offline = { ...environment, llm: null };
    const cached = await runEval(offline, {
      workspaceId,
      datasetVersionId,
      target: { kind: "prompt_set", set: "sales-call", version: "v1" },
    });
    expect(cached.metrics!.cachedCases).toBe(12);
    const run = await createEvalRun(db, {
      workspaceId,
      datasetVersionId,
      target: { kind: "prompt_set", set: "sales-call", version: "v2" },
      promptsDirectory,
    });
    await expect(executeEvalRun(offline, run.id)).rejects.toThrow(/OPENAI_BASE_URL/);
  });

  it("records what the model answered when it chose no intent", async () => {
    const silent = await startOpenAiCompatibleServer({
      fallback: fakeIntentModel({ answers: new Map() }),
    });
    try {
      const { version } = await importDatasetSamples(db, {
        workspaceId,
        name: "one-case",
        samples: [
          { text: "嗯嗯，好的", label: "scheduling", split: "test" },
          { text: "ok", label: "scheduling", split: "train" },
        ],
      });
      const run = await runEval(
        { ...environment, llm: { ...environment.llm!, baseUrl: silent.baseUrl } },
        {
          workspaceId,
          datasetVersionId: version.id,
          target: { kind: "prompt_set", set: "sales-call", version: "v1" },
        },
      );
      const [result] = await loadEvalResults(db, run.id);
      expect(result).toMatchObject({ predicted: noIntentPrediction, error: null });
      expect(run.metrics!.unknownPredictions).toEqual([noIntentPrediction]);
      expect(run.metrics!.accuracy).toBe(0);
      expect(run.metrics!.errors).toBe(0);
    } finally {
      await silent.close();
    }
  });
});

describe("comparing and gating", () => {
  it("compares two runs case by case and gates the worse version", async () => {
    const candidate = await runEval(environment, {
      workspaceId,
      datasetVersionId,
      target: { kind: "prompt_set", set: "sales-call", version: "v2" },
    });
    // v2 gets the three English pricing questions wrong.
    expect(candidate.metrics!.accuracy).toBeCloseTo(9 / 12, 9);
    const baseline = (await listEvalRuns(db, workspaceId, { datasetVersionId })).find(
      (run) => run.targetDescription === "sales-call@v1" && run.status === "completed",
    )!;
    const comparison = await compareEvalRuns(db, workspaceId, baseline.id, candidate.id);
    expect(comparison.metrics.accuracy.delta).toBeCloseTo(-3 / 12, 9);
    expect(comparison.rightToWrong.map((flip) => flip.candidateExpected)).toEqual([
      "pricing_question",
      "pricing_question",
      "pricing_question",
    ]);
    expect(comparison.wrongToRight).toEqual([]);
    expect(comparison.matchedCases).toBe(12);

    const strict = gateEvalRuns({
      candidateRun: candidate,
      baselineRun: baseline,
      margin: 0.01,
      metric: "accuracy",
    });
    expect(strict.passed).toBe(false);
    expect(strict.reason).toMatch(/accuracy 0\.75 is 0\.25 below baseline 1/);
    expect(
      gateEvalRuns({
        candidateRun: candidate,
        baselineRun: baseline,
        margin: 0.25,
        metric: "accuracy",
      }).passed,
    ).toBe(true);
  });

  it("runs the gate against the production label, reusing completed runs", async () => {
    const failed = await runGate(environment, {
      workspaceId,
      datasetVersionId,
      candidate: { kind: "prompt_set", set: "sales-call", version: "v2" },
      baseline: "production",
      margin: 0.01,
      metric: "accuracy",
    });
    expect(failed.passed).toBe(false);
    expect(failed.baselineRun?.targetDescription).toBe("sales-call@v1");
    // Both runs existed already: nothing was asked of the model.
    expect(server.requests).toHaveLength(0);

    const passed = await runGate(environment, {
      workspaceId,
      datasetVersionId,
      candidate: { kind: "prompt_set", set: "sales-call", version: "v1" },
      baseline: "production",
      margin: 0,
      metric: "macroF1",
    });
    expect(passed.passed).toBe(true);

    const noBaseline = await runGate(environment, {
      workspaceId,
      datasetVersionId,
      candidate: { kind: "prompt_set", set: "sales-call", version: "v2" },
      baseline: "staging",
      margin: 0,
      metric: "accuracy",
    });
    expect(noBaseline).toMatchObject({ passed: true, baselineRun: null });
    expect(noBaseline.reason).toMatch(/no baseline/);
  });

  it("rejects what it cannot run, and never compares unfinished runs", async () => {
    await expect(
      createEvalRun(db, {
        workspaceId,
        datasetVersionId,
        target: { kind: "prompt_set", set: "sales-call", version: "v9" },
        promptsDirectory,
      }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      createEvalRun(db, {
        workspaceId,
        datasetVersionId,
        target: { kind: "local" },
        options: { limit: 0 },
      }),
    ).rejects.toThrow(ValidationError);
    const queued = await createEvalRun(db, {
      workspaceId,
      datasetVersionId,
      target: { kind: "prompt_set", set: "sales-call", version: "v1" },
      promptsDirectory,
    });
    expect((await getEvalRun(db, workspaceId, queued.id)).status).toBe("queued");
    await expect(compareEvalRuns(db, workspaceId, queued.id, queued.id)).rejects.toThrow(/queued/);
    await expect(getEvalRun(db, crypto.randomUUID(), queued.id)).rejects.toThrow(NotFoundError);
  });
});

describe("prompt sets stored in the workspace", () => {
  it("prefers the database's versions and labels to the files", async () => {
    const { users } = await createOrganisation(db);
    await syncPromptSetsFromFiles(db, workspaceId, promptsDirectory);
    const v1 = await loadPromptSetVersion(
      { db, workspaceId, promptsDirectory },
      "sales-call",
      "v1",
    );
    // A version a trainer made in the app exists only in the database.
    const made = await createVersion(db, workspaceId, {
      set: "sales-call",
      version: "v7",
      manifest: v1.manifest,
      system: `${v1.system}\nAnswer carefully.`,
      user: v1.user,
      createdBy: users.trainer.id,
    });
    const source = { db, workspaceId, promptsDirectory };
    expect((await loadPromptSetVersion(source, "sales-call", "v7")).contentHash).toBe(
      made.contentHash,
    );
    const run = await createEvalRun(db, {
      workspaceId,
      datasetVersionId,
      target: { kind: "prompt_set", set: "sales-call", version: "v7" },
      promptsDirectory,
    });
    expect(run.target).toMatchObject({ contentHash: made.contentHash, model: v1.manifest.model });
    const linked = await db.query<{ id: string }>(
      "SELECT prompt_set_version_id AS id FROM eval_runs WHERE id = $1",
      [run.id],
    );
    expect(linked.rows[0].id).toBe(made.id);

    // Publishing moves the label in the database; labels.json still says v1.
    await moveLabel(db, workspaceId, {
      set: "sales-call",
      label: "production",
      version: "v2",
      movedBy: users.trainer.id,
    });
    const candidate = { kind: "prompt_set" as const, set: "sales-call", version: "v7" };
    expect(await resolveBaselineTarget(source, candidate, "production")).toEqual({
      kind: "prompt_set",
      set: "sales-call",
      version: "v2",
    });
    // The set is known to the database, so a label it lacks is missing, whatever the files say.
    expect(await resolveBaselineTarget(source, candidate, "staging")).toBeNull();
    await expect(loadPromptSetVersion(source, "sales-call", "v9")).rejects.toThrow(NotFoundError);
  });
});
