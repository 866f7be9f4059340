/**
 * `npm run bench -- traces`: what tracing costs an agent invocation, and how fast a trace opens.
 *
 * 1. Tracer overhead per invocation (the model excluded; wall time, and this process's CPU time): recording the spans in memory, then
 *    `finish` writing the trace and its spans in one transaction — 5 spans (retrieval, prompt, model
 *    call, parse, result) and 7 (plus a failed parse and the repair call), with the prompt and
 *    request body of a 100- and a 400-utterance call. Sequential invocations, after a warm-up, on
 *    PGlite and PostgreSQL. Target: < 20 ms per invocation.
 * 2. Trace viewer first render: the 5 traces of one 400-utterance call (five agents); per trace the
 *    API answer (`GET /api/traces/:id`) and a full page load of the detail page in Chromium until
 *    the waterfall is painted. Target: < 300 ms.
 *
 *   npm run bench -- traces [--invocations=200] [--pglite-only] [--no-browser]
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../core/db/database.ts";
import { createDatabaseTracer } from "../core/traces/trace-store.ts";
import { launchBrowser } from "../tests/browser/support/browser.ts";
import { ensureWebBuild } from "../tests/browser/support/web-build.ts";
import { createOrganisation, testPassword } from "../tests/support/fixtures.ts";
import type { Organisation } from "../tests/support/fixtures.ts";
import { startTestServer } from "../tests/support/test-server.ts";
import { insertRecording, recordRealisticTrace, transcriptLines } from "../tests/support/trace-fixtures.ts";
import type { Tracer } from "../core/traces/trace.ts";
import type { DatabaseKind } from "./support.ts";
import { describeMachine, printTable, roundMs, summarise, withBenchDatabase } from "./support.ts";

const flag = (name: string) => process.argv.find((argument) => argument.startsWith(`--${name}=`))?.split("=")[1];
const invocations = Number(flag("invocations") ?? 200);
const kinds: DatabaseKind[] = process.argv.includes("--pglite-only") ? ["pglite"] : ["pglite", "postgres"];
const withBrowser = !process.argv.includes("--no-browser");

/** The payloads an agent has ready anyway (built once, outside the timing): examples, messages, answers. */
function preparedInvocation(utterances: number) {
  const lines = transcriptLines(utterances);
  const examples = [
    { sourceKey: "seed:1", text: "Can you send me the price list?", label: "request_quote", similarity: 0.82 },
    { sourceKey: "seed:2", text: "我们下个月再决定。", label: "stall", similarity: 0.71 },
    { sourceKey: "seed:3", text: "Let me check with my manager first.", label: "stall", similarity: 0.66 },
  ];
  const messages = [
    { role: "system", content: "You extract action items from a sales call. Answer with JSON only.\n" + examples.map((example) => `- ${example.text} => ${example.label}`).join("\n") },
    { role: "user", content: `<transcript>\n${lines.join("\n")}\n</transcript>` },
  ];
  const request = { model: "qwen-plus", messages, temperature: 0, max_tokens: 1200, response_format: { type: "json_object" } };
  const answer = JSON.stringify({ actionItems: [{ type: "send_quote", owner: "agent", due: "2026-07-08", segments: [2, 3] }] });
  return { examples, messages, request, answer, output: JSON.parse(answer) as unknown };
}

/** One invocation's tracer calls only: start, the spans, finish (which writes). */
async function tracedInvocation(tracer: Tracer, workspaceId: string, recordingId: string, prepared: ReturnType<typeof preparedInvocation>, repair: boolean) {
  const trace = tracer.start({ workspaceId, recordingId, agent: "action-items", agentVersion: "action-items@v2", agentRunId: randomUUID(), engine: "llm", connectorId: null, model: "qwen-plus", input: { segments: 400 } });
  trace.span("retrieval", "few-shot examples", { k: 3 }).end({ output: prepared.examples });
  trace.span("prompt", "render prompt").end({ output: prepared.messages });
  if (repair) {
    trace.span("model_call", "chat qwen-plus", prepared.request, { model: "qwen-plus", attempt: 1, repair: false }).end({ output: "Sure! {", inputTokens: 9000, outputTokens: 40, costUsd: 0.002 });
    trace.span("parse", "validate output").end({ status: "error", error: "Unexpected token 'S'" });
  }
  trace.span("model_call", "chat qwen-plus", prepared.request, { model: "qwen-plus", attempt: repair ? 2 : 1, repair }).end({ output: prepared.answer, inputTokens: 9000, outputTokens: 160, costUsd: 0.002 });
  trace.span("parse", "validate output").end({ output: { actionItems: 1 } });
  trace.span("result", "store draft items").end({ output: { items: 1 } });
  await trace.finish({ status: "ok", output: prepared.output });
}

async function writeOverhead(db: Db, organisation: Organisation, kind: DatabaseKind) {
  const recordingId = await insertRecording(db, organisation.users.northRep);
  const tracer = createDatabaseTracer(db, { logger: { warn: (details, message) => console.error(message, details) } });
  const rows = [];
  for (const [label, utterances, repair] of [
    ["5 spans, 100-utterance prompt", 100, false],
    ["7 spans, 100-utterance prompt", 100, true],
    ["5 spans, 400-utterance prompt", 400, false],
    ["7 spans, 400-utterance prompt", 400, true],
  ] as const) {
    const prepared = preparedInvocation(utterances);
    for (let warm = 0; warm < 20; warm += 1) await tracedInvocation(tracer, organisation.workspaceId, recordingId, prepared, repair);
    const totals: number[] = [];
    const cpu = process.cpuUsage();
    for (let run = 0; run < invocations; run += 1) {
      const started = performance.now();
      await tracedInvocation(tracer, organisation.workspaceId, recordingId, prepared, repair);
      totals.push(performance.now() - started);
    }
    const used = process.cpuUsage(cpu);
    const { rows: size } = await db.query<{ bytes: number }>(
      `SELECT avg(pg_column_size(input) + pg_column_size(output))::integer AS bytes FROM trace_spans
        WHERE trace_id = (SELECT id FROM traces ORDER BY started_at DESC LIMIT 1)`,
    );
    // CPU of this process per invocation: the tracer's own work (and, on PGlite, the database's too,
    // which runs in-process) — less sensitive than wall time to other work on a shared machine.
    const { n, "p50 ms": p50, "p95 ms": p95, "mean ms": mean } = summarise(totals);
    rows.push({ database: kind, trace: label, n, "p50 ms": p50, "p95 ms": p95, "mean ms": mean, "process CPU ms": roundMs((used.user + used.system) / 1000 / invocations), "stored bytes/span": size[0]?.bytes ?? 0 });
  }
  return rows;
}

async function viewerFirstRender(db: Db, organisation: Organisation, kind: DatabaseKind) {
  const webDirectory = await ensureWebBuild();
  const tracer = createDatabaseTracer(db);
  const recordingId = await insertRecording(db, organisation.users.northRep, { title: "400-utterance call" });
  const ids: string[] = [];
  for (const agent of ["action-items", "talk-tracks", "summary", "follow-up-email"]) {
    ids.push(await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId, agent, utterances: 400, repair: agent === "summary" }));
  }
  const local = tracer.start({ workspaceId: organisation.workspaceId, recordingId, agent: "intents", agentVersion: "intents@local", agentRunId: randomUUID(), engine: "local", connectorId: null, model: "local-nb" });
  local.span("local_model", "classify 400 utterances", { utterances: 400 }, { modelVersion: "local-nb" }).end({
    output: Array.from({ length: 400 }, (_, segment) => ({ segment, ranked: [{ label: "request_quote", confidence: 0.7 }, { label: "small_talk", confidence: 0.2 }, { label: "objection_price", confidence: 0.1 }] })),
  });
  local.span("result", "store draft items").end({ output: { items: 400 } });
  await local.finish({ status: "ok" });
  ids.push(local.id);

  const server = await startTestServer(db, { app: { webDirectory } });
  const browser = await launchBrowser();
  try {
    const signedIn = await browser.context.request.post(`${server.baseUrl}/api/auth/sign-in`, { data: { email: "admin@example.com", password: testPassword } });
    if (!signedIn.ok()) throw new Error(`sign-in failed: ${signedIn.status()}`);
    // Warm the bundle cache, as a second visit would.
    await browser.page.goto(`${server.baseUrl}/traces/${ids[0]}`);
    await browser.page.getByTestId("trace-span").first().waitFor({ timeout: 30_000 });
    const api: number[] = [];
    const render: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      for (const id of ids) {
        const started = performance.now();
        const response = await browser.context.request.get(`${server.baseUrl}/api/traces/${id}`);
        await response.body();
        api.push(performance.now() - started);
        const navigation = performance.now();
        await browser.page.goto(`${server.baseUrl}/traces/${id}`);
        await browser.page.getByTestId("trace-span").first().waitFor({ timeout: 30_000 });
        await browser.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
        render.push(performance.now() - navigation);
      }
    }
    // In-app: the SPA is loaded (as after "Why?" on a draft item); only the route changes.
    const inApp: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      for (const id of ids) {
        await browser.page.evaluate(() => {
          history.pushState(null, "", "/traces");
          dispatchEvent(new PopStateEvent("popstate"));
        });
        await browser.page.getByTestId("trace-list").waitFor({ timeout: 30_000 });
        const started = performance.now();
        await browser.page.evaluate((target) => {
          history.pushState(null, "", `/traces/${target}`);
          dispatchEvent(new PopStateEvent("popstate"));
        }, id);
        await browser.page.locator(`[data-testid="trace-detail"]`).waitFor({ timeout: 30_000 });
        await browser.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
        inApp.push(performance.now() - started);
      }
    }
    const bytes = (await db.query<{ bytes: number }>("SELECT sum(pg_column_size(input) + pg_column_size(output))::integer AS bytes FROM trace_spans WHERE trace_id = ANY($1::uuid[])", [ids])).rows[0].bytes;
    return [
      { database: kind, measure: "GET /api/traces/:id (5 traces × 3)", ...summarise(api), "stored KB": roundMs(bytes / 1024) },
      { database: kind, measure: "detail page load → waterfall painted", ...summarise(render), "stored KB": roundMs(bytes / 1024) },
      { database: kind, measure: "in-app navigation → waterfall painted", ...summarise(inApp), "stored KB": roundMs(bytes / 1024) },
    ];
  } finally {
    await browser.close();
    await server.close();
  }
}

const overheadRows: object[] = [];
const viewerRows: object[] = [];
for (const kind of kinds) {
  await withBenchDatabase(kind, async ({ db }) => {
    const organisation = await createOrganisation(db);
    overheadRows.push(...(await writeOverhead(db, organisation, kind)));
    if (withBrowser && (kind === "postgres" || kinds.length === 1)) viewerRows.push(...(await viewerFirstRender(db, organisation, kind)));
  });
}
printTable(`Tracer overhead per agent invocation (spans in memory + one write statement; model excluded), ${invocations} sequential invocations; target < 20 ms. ${describeMachine()}`, overheadRows);
if (viewerRows.length > 0) printTable(`Trace viewer first render, the 5 traces of a 400-utterance call; target < 300 ms. ${describeMachine()}`, viewerRows);
