/**
 * Datasets and eval runs over HTTP. Trainers and admins build datasets and run evals; managers
 * may read them; reps may not see them at all. Runs execute in the worker (`eval-run` jobs): the
 * API records the run, enqueues it and answers 202 at once.
 */
import { collectActionItemCases, previewActionItemCases } from "../../core/dataset/action-item-cases.ts";
import { attachment } from "../http/attachment.ts";
import express, { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import type { Actor } from "../../core/auth/actor.ts";
import { outcomeFilterSchema } from "../../core/outcomes/training-signal.ts";
import {
  addDatasetVersion,
  collectLabelledSamples,
  createDataset,
  exportDatasetVersion,
  getDatasetVersion,
  getDataset,
  importDatasetSamples,
  importPublicDataset,
  listDatasetVersions,
  labelDecisions,
  listDatasets,
  parseSamplesFile,
  previewSamples,
  publicDatasetNames,
  resolveDatasetVersion,
  sampleSplits,
} from "../../core/dataset/datasets.ts";
import {
  compareEvalRuns,
  createEvalRun,
  defaultPromptsDirectory,
  findReusableRun,
  gateEvalRuns,
  gateMetricNames,
  getEvalRun,
  listEvalRuns,
  loadEvalResults,
  findRunInFlight,
  parseEvalTarget,
  resolveBaselineTarget,
  targetFingerprint,
  type EvalRun,
  type EvalTarget,
} from "../../core/eval/eval-runs.ts";
import {
  createLabelCurve,
  labelCurveOptionsSchema,
  latestLabelCurve,
} from "../../core/eval/label-curves.ts";
import { workspaceDraftSettings } from "../../core/draft/workspace-settings.ts";
import { ValidationError } from "../../core/errors.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { body, params, query } from "../http/validate.ts";

const idParams = z.object({ id: z.uuid() });
const readers = ["manager", "trainer", "admin"] as const;
const runners = ["trainer", "admin"] as const;

/** Raw JSONL/CSV uploads may be larger than the API's 2 MB JSON limit. */
const maximumImportBytes = "50mb";

const snapshotFilters = z.strictObject({
  teamId: z.uuid().optional(),
  customerStages: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  intents: z.array(z.string().trim().min(1).max(200)).max(500).optional(),
  outcome: outcomeFilterSchema.optional(),
  languages: z.array(z.enum(["zh", "en"])).max(2).optional(),
  decisions: z.array(z.enum(labelDecisions)).max(2).optional(),
});

const datasetKind = z.enum(["intents", "action_items"]);

export const previewDatasetRequest = z.strictObject({
  kind: datasetKind.optional(),
  filters: snapshotFilters.optional(),
});
export const createLabelCurveRequest = z.strictObject({
  /** A dataset version: its id, or "name" (latest) / "name@version". */
  dataset: z.string().trim().min(1).max(300),
  options: labelCurveOptionsSchema.partial().optional(),
});

const latestLabelCurveQuery = z.object({ dataset: z.string().trim().min(1).max(300).optional() });

const splitSettings = {
  testShare: z.number().gt(0).lt(1).optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
};

export const createDatasetRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000).optional(),
  /** `intents` (default): one utterance per sample; `action_items`: one reviewed call per sample. */
  kind: datasetKind.optional(),
  filters: snapshotFilters.optional(),
  ...splitSettings,
});

/** A stored version's snapshot filters (without its `kind`), read back as filters. */
function snapshotFiltersOf(stored: Record<string, unknown>): z.infer<typeof snapshotFilters> {
  const { kind: _kind, ...filters } = stored;
  const parsed = snapshotFilters.safeParse(filters);
  if (!parsed.success) throw new ValidationError("The latest version's filters can no longer be read: send the filters for the new version.");
  return parsed.data;
}

export const snapshotDatasetRequest = z.strictObject({
  filters: snapshotFilters.optional(),
  ...splitSettings,
});

export const importDatasetRequest = z.union([
  z.strictObject({
    name: z.string().trim().min(1).max(100),
    format: z.enum(["jsonl", "csv"]),
    content: z.string().min(1),
    description: z.string().max(2000).optional(),
    ...splitSettings,
  }),
  z.strictObject({
    public: z.enum(publicDatasetNames),
    name: z.string().trim().min(1).max(100).optional(),
  }),
]);

/** For raw uploads (`Content-Type: application/x-ndjson` or `text/csv`): settings in the query. */
export const importDatasetQuery = z.object({
  name: z.string().trim().min(1).max(100),
  format: z.enum(["jsonl", "csv"]).optional(),
  testShare: z.coerce.number().gt(0).lt(1).optional(),
  seed: z.coerce.number().int().min(0).optional(),
});

export const exportDatasetParams = z.object({
  id: z.uuid(),
  version: z.coerce.number().int().min(1),
});

export const exportDatasetQuery = z.object({
  split: z
    .string()
    .optional()
    .transform((value, context) => {
      if (!value) return undefined;
      const splits = value.split(",").map((entry) => entry.trim());
      const unknown = splits.filter(
        (entry) => !(sampleSplits as readonly string[]).includes(entry),
      );
      if (unknown.length > 0) {
        context.addIssue({
          code: "custom",
          message: `Unknown split ${unknown.join(", ")}; use ${sampleSplits.join(", ")}.`,
        });
        return z.NEVER;
      }
      return splits as Array<(typeof sampleSplits)[number]>;
    }),
});

const runOptions = z.strictObject({
  concurrency: z.number().int().min(1).max(64).optional(),
  requestsPerMinute: z.number().int().min(1).optional(),
  limit: z.number().int().min(1).optional(),
});

export const createEvalRunRequest = z.strictObject({
  /** `name`, `name@3` or a dataset version id. */
  dataset: z.string().trim().min(1).max(200),
  /** `local`, `<set>@<version>` or `agent:<agent>@v<n>`. */
  target: z.string().trim().min(1).max(200),
  options: runOptions.optional(),
});

export const listEvalRunsQuery = z.object({
  datasetId: z.uuid().optional(),
  datasetVersionId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const evalResultsQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  /** Only wrong predictions and errors: what a trainer wants to look at. */
  wrong: z.enum(["true", "false"]).optional(),
});

export const compareEvalRunsQuery = z.object({ baseline: z.uuid(), candidate: z.uuid() });

export const gateParams = z.object({
  set: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
});

export const gateRequest = z.strictObject({
  dataset: z.string().trim().min(1).max(200),
  /** A label of the set (`production`), `local`, or `<set>@<version>`. */
  baseline: z.string().trim().min(1).max(200).default("production"),
  margin: z.number().min(0).default(0.01),
  metric: z.enum(gateMetricNames as [string, ...string[]]).default("accuracy"),
});

/** The list view and the comparison do not need every run's per-label table. */
function summary(run: EvalRun) {
  if (!run.metrics) return run;
  const { perLabel: _perLabel, confusion: _confusion, ...metrics } = run.metrics;
  return { ...run, metrics };
}

export function evalRoutes(
  context: AppContext,
  options: { promptsDirectory?: string } = {},
): Router {
  const router = Router();
  const { db, dispatcher } = context;
  // Versions and labels come from the workspace's database first (see PromptSource).
  const promptsDirectory = options.promptsDirectory ?? defaultPromptsDirectory;
  /** The taxonomy's names by intent id, so the eval pages show "Needs discovery", not the id. */
  const intentNames = async (workspaceId: string) => {
    const { intents } = await workspaceDraftSettings(db, workspaceId);
    return Object.fromEntries(intents.map((intent) => [intent.id, intent.name]));
  };

  /** One job per eval run or label curve, owned by whoever asked for it. */
  function enqueueFor(actor: Actor, work: { queue: "eval-run"; payload: { evalRunId: string } } | { queue: "label-curve"; payload: { labelCurveId: string } }, id: string) {
    return dispatcher.enqueue({
      ...work,
      dedupeKey: `${work.queue}:${id}`,
      workspaceId: actor.workspaceId,
      ownerId: actor.id,
      teamPath: actor.teamPath,
      subject: { type: work.queue === "eval-run" ? "eval_run" : "label_curve", id },
    });
  }
  const enqueueRun = (actor: Actor, run: EvalRun) => enqueueFor(actor, { queue: "eval-run", payload: { evalRunId: run.id } }, run.id);

  router.get("/datasets", allow(...readers), async (request: Request, response: Response) => {
    response.json({ datasets: await listDatasets(db, actorOf(request).workspaceId) });
  });

  // What a dataset with these filters would hold (the builder's live count); nothing is stored.
  router.post("/datasets/preview", allow(...runners), async (request: Request, response: Response) => {
    const input = body(request, previewDatasetRequest);
    const actor = actorOf(request);
    const preview =
      input.kind === "action_items"
        ? previewActionItemCases(await collectActionItemCases(db, actor, input.filters ?? {}))
        : previewSamples(await collectLabelledSamples(db, actor, input.filters ?? {}));
    response.json({ preview, intentNames: await intentNames(actor.workspaceId) });
  });

  // A dataset from the trainers' reviewed labels: the dataset and its first version together.
  router.post("/datasets", allow(...runners), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const input = body(request, createDatasetRequest);
    const actionItems = input.kind === "action_items";
    const samples = actionItems
      ? await collectActionItemCases(db, actor, input.filters ?? {})
      : await collectLabelledSamples(db, actor, input.filters ?? {});
    if (samples.length === 0) {
      throw new ValidationError(
        actionItems
          ? "No call has all its action items reviewed by a trainer: decide every action item of some calls first, or widen the filters."
          : "No reviewed intent labels match these filters: accept or correct some drafts first, or widen the filters.",
      );
    }
    const dataset = await createDataset(db, {
      workspaceId: actor.workspaceId,
      name: input.name,
      description: input.description,
      source: "workspace",
      createdBy: actor.id,
    });
    try {
      const { version } = await addDatasetVersion(db, {
        workspaceId: actor.workspaceId,
        datasetId: dataset.id,
        samples,
        testShare: input.testShare,
        seed: input.seed,
        filters: { kind: actionItems ? "action_items" : "snapshot", ...input.filters },
        createdBy: actor.id,
      });
      response
        .status(201)
        .json({ dataset: await getDataset(db, actor.workspaceId, dataset.id), version });
    } catch (error) {
      // No dataset without a version: the name stays free for the next attempt.
      await db.query("DELETE FROM datasets WHERE id = $1", [dataset.id]);
      throw error;
    }
  });

  router.post(
    "/datasets/import",
    allow(...runners),
    express.text({
      type: ["application/x-ndjson", "application/jsonl", "text/csv", "text/plain"],
      limit: maximumImportBytes,
    }),
    async (request: Request, response: Response) => {
      const actor = actorOf(request);
      let result;
      if (typeof request.body === "string") {
        const settings = query(request, importDatasetQuery);
        const format = settings.format ?? (request.is("text/csv") ? "csv" : "jsonl");
        result = await importDatasetSamples(db, {
          workspaceId: actor.workspaceId,
          name: settings.name,
          samples: parseSamplesFile(request.body, format),
          source: "file",
          testShare: settings.testShare,
          seed: settings.seed,
          createdBy: actor.id,
        });
      } else {
        const input = body(request, importDatasetRequest);
        result =
          "public" in input
            ? await importPublicDataset(db, {
                workspaceId: actor.workspaceId,
                set: input.public,
                name: input.name,
                createdBy: actor.id,
              })
            : await importDatasetSamples(db, {
                workspaceId: actor.workspaceId,
                name: input.name,
                description: input.description,
                samples: parseSamplesFile(input.content, input.format),
                source: "file",
                testShare: input.testShare,
                seed: input.seed,
                createdBy: actor.id,
              });
      }
      response.status(result.created ? 201 : 200).json(result);
    },
  );

  router.get("/datasets/:id", allow(...readers), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { id } = params(request, idParams);
    const dataset = await getDataset(db, actor.workspaceId, id);
    response.json({
      dataset,
      versions: await listDatasetVersions(db, actor.workspaceId, dataset.id),
    });
  });

  router.post(
    "/datasets/:id/versions",
    allow(...runners),
    async (request: Request, response: Response) => {
      const actor = actorOf(request);
      const { id } = params(request, idParams);
      const input = body(request, snapshotDatasetRequest);
      const dataset = await getDataset(db, actor.workspaceId, id);
      // A new version holds what the dataset's versions hold: utterances, or reviewed calls.
      const latest = dataset.latestVersionId ? await getDatasetVersion(db, actor.workspaceId, dataset.latestVersionId) : null;
      const actionItems = latest?.filters.kind === "action_items";
      // Without filters, the new version repeats the latest one's filters and split ("the same
      // selection, today's labels"), as the Evals page's "New version" button asks for.
      const repeat = input.filters === undefined && latest !== null && dataset.source === "workspace";
      const filters = input.filters ?? (repeat ? snapshotFiltersOf(latest.filters) : {});
      const samples = actionItems ? await collectActionItemCases(db, actor, filters) : await collectLabelledSamples(db, actor, filters);
      if (samples.length === 0)
        throw new ValidationError(actionItems ? "No call has all its action items reviewed by a trainer." : "No reviewed intent labels match these filters.");
      const result = await addDatasetVersion(db, {
        workspaceId: actor.workspaceId,
        datasetId: dataset.id,
        samples,
        testShare: input.testShare ?? (repeat ? latest.testShare : undefined),
        seed: input.seed ?? (repeat ? latest.splitSeed : undefined),
        filters: { kind: actionItems ? "action_items" : "snapshot", ...filters },
        createdBy: actor.id,
      });
      response.status(result.created ? 201 : 200).json(result);
    },
  );

  router.get(
    "/datasets/:id/versions/:version/export",
    allow(...readers),
    async (request: Request, response: Response) => {
      const actor = actorOf(request);
      const { id, version } = params(request, exportDatasetParams);
      const { split } = query(request, exportDatasetQuery);
      const dataset = await getDataset(db, actor.workspaceId, id);
      const resolved = await resolveDatasetVersion(
        db,
        actor.workspaceId,
        `${dataset.name}@${version}`,
      );
      const content = await exportDatasetVersion(db, resolved.id, { splits: split });
      const fileName = `${dataset.name}-v${version}.jsonl`;
      attachment(response.type("application/x-ndjson; charset=utf-8"), fileName).send(content);
    },
  );

  /**
   * The label-efficiency curve of the local engine on a dataset version, computed by a
   * `label-curve` job: 202 with the queued curve; GET …/latest returns it (status, then points).
   */
  router.post("/label-curve", allow(...runners), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const input = body(request, createLabelCurveRequest);
    const version = await resolveDatasetVersion(db, actor.workspaceId, input.dataset);
    const curve = await createLabelCurve(db, {
      workspaceId: actor.workspaceId,
      datasetVersion: version,
      options: labelCurveOptionsSchema.parse(input.options ?? {}),
      createdBy: actor.id,
    });
    const job = await enqueueFor(actor, { queue: "label-curve", payload: { labelCurveId: curve.id } }, curve.id);
    response.status(202).json({ curve, jobId: job.id });
  });

  router.get(
    "/label-curve/latest",
    allow(...readers),
    async (request: Request, response: Response) => {
      const { dataset } = query(request, latestLabelCurveQuery);
      const { workspaceId } = actorOf(request);
      const version = dataset ? await resolveDatasetVersion(db, workspaceId, dataset) : null;
      response.json({ curve: await latestLabelCurve(db, workspaceId, version?.id) });
    },
  );

  router.get("/eval-runs", allow(...readers), async (request: Request, response: Response) => {
    const filters = query(request, listEvalRunsQuery);
    const runs = await listEvalRuns(db, actorOf(request).workspaceId, filters);
    response.json({ runs });
  });

  router.post("/eval-runs", allow(...runners), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const input = body(request, createEvalRunRequest);
    const version = await resolveDatasetVersion(db, actor.workspaceId, input.dataset);
    const run = await createEvalRun(db, {
      workspaceId: actor.workspaceId,
      datasetVersionId: version.id,
      target: parseEvalTarget(input.target),
      options: input.options,
      createdBy: actor.id,
      promptsDirectory,
    });
    const job = await enqueueRun(actor, run);
    response.status(202).json({ run, jobId: job.id });
  });

  router.get(
    "/eval-runs/compare",
    allow(...readers),
    async (request: Request, response: Response) => {
      const { baseline, candidate } = query(request, compareEvalRunsQuery);
      const comparison = await compareEvalRuns(
        db,
        actorOf(request).workspaceId,
        baseline,
        candidate,
      );
      response.json({
        ...comparison,
        baselineRun: summary(comparison.baselineRun),
        candidateRun: summary(comparison.candidateRun),
        intentNames: await intentNames(actorOf(request).workspaceId),
      });
    },
  );

  router.get("/eval-runs/:id", allow(...readers), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    const { workspaceId } = actorOf(request);
    response.json({
      run: await getEvalRun(db, workspaceId, id),
      intentNames: await intentNames(workspaceId),
    });
  });

  router.get(
    "/eval-runs/:id/results",
    allow(...readers),
    async (request: Request, response: Response) => {
      const { id } = params(request, idParams);
      const { offset, limit, wrong } = query(request, evalResultsQuery);
      await getEvalRun(db, actorOf(request).workspaceId, id);
      let results = await loadEvalResults(db, id);
      if (wrong === "true")
        results = results.filter((result) => result.predicted !== result.expected);
      response.json({
        total: results.length,
        offset,
        results: results.slice(offset, offset + limit),
      });
    },
  );

  /**
   * The regression gate for a prompt-set version on a dataset: 200 with the verdict when both
   * runs exist; otherwise the missing runs are enqueued and the answer is 202 — ask again later.
   */
  router.post(
    "/prompt-sets/:set/versions/:version/gate",
    allow(...runners),
    async (request: Request, response: Response) => {
      const actor = actorOf(request);
      const { set, version } = params(request, gateParams);
      const input = body(request, gateRequest);
      const candidate: EvalTarget = { kind: "prompt_set", set, version };
      const [datasetVersion, baseline] = await Promise.all([
        resolveDatasetVersion(db, actor.workspaceId, input.dataset),
        resolveBaselineTarget(
          { db, workspaceId: actor.workspaceId, promptsDirectory },
          candidate,
          input.baseline,
        ),
      ]);

      const pending: EvalRun[] = [];
      /** The latest completed run of the target, or null after finding or enqueueing one in flight. */
      const latestRun = async (target: EvalTarget): Promise<EvalRun | null> => {
        const scope = {
          workspaceId: actor.workspaceId,
          datasetVersionId: datasetVersion.id,
          fingerprint: await targetFingerprint(
            { db, workspaceId: actor.workspaceId, promptsDirectory },
            target,
          ),
        };
        const completed = await findReusableRun(db, scope);
        if (completed) return completed;
        let run = await findRunInFlight(db, scope);
        if (!run) {
          run = await createEvalRun(db, {
            ...scope,
            target,
            createdBy: actor.id,
            promptsDirectory,
          });
          await enqueueRun(actor, run);
        }
        if (!pending.some((entry) => entry.id === run.id)) pending.push(run);
        return null;
      };

      const candidateRun = await latestRun(candidate);
      const baselineRun = baseline ? await latestRun(baseline) : null;
      if (pending.length > 0) {
        response.status(202).json({ status: "pending", runs: pending.map(summary) });
        return;
      }
      const outcome = gateEvalRuns({
        candidateRun: candidateRun!,
        baselineRun,
        margin: input.margin,
        metric: input.metric as (typeof gateMetricNames)[number],
      });
      response.json({
        status: "done",
        passed: outcome.passed,
        reason: outcome.reason,
        delta: outcome.delta,
        metric: outcome.metric,
        margin: outcome.margin,
        candidateRun: summary(outcome.candidateRun),
        baselineRun: outcome.baselineRun ? summary(outcome.baselineRun) : null,
      });
    },
  );

  return router;
}
