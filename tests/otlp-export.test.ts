/**
 * OTLP export against a local receiver: finished traces arrive as OTLP/HTTP JSON at /v1/traces with
 * the configured headers — resourceSpans → scopeSpans → spans, a root `invoke_agent` span and one
 * child per Calibrate span, 32/16-hex ids, nanosecond times, GenAI attributes — batched; a failed
 * POST is retried once; a second failure is logged and dropped, and neither reaches the agent.
 * (The exporter does not depend on the database kind: PGlite only.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.ts";
import { createConfiguredTracer } from "../core/traces/configured-tracer.ts";
import { createOtlpExporter, parseOtlpHeaders } from "../core/traces/otlp-export.ts";
import type { OtlpAttribute, OtlpSpan } from "../core/traces/otlp-export.ts";
import { createDatabaseTracer } from "../core/traces/trace-store.ts";
import { createTestDatabase } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { insertRecording, recordRealisticTrace } from "./support/trace-fixtures.ts";
import { startWebhookReceiver } from "./support/webhook-receiver.ts";
import type { WebhookReceiver } from "./support/webhook-receiver.ts";

interface OtlpBody {
  resourceSpans: Array<{
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>;
  }>;
}

const valueOf = (attributes: OtlpAttribute[], key: string) => {
  const found = attributes.find((attribute) => attribute.key === key)?.value as Record<string, unknown> | undefined;
  return found ? Object.values(found)[0] : undefined;
};

describe("OTLP export", () => {
  let database: TestDatabase;
  let organisation: Organisation;
  let receiver: WebhookReceiver;
  let origin: string;
  let call: string;

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    organisation = await createOrganisation(database.db);
    receiver = await startWebhookReceiver();
    origin = new URL(receiver.url).origin;
    call = await insertRecording(database.db, organisation.users.northRep);
  });

  afterAll(async () => {
    await receiver?.close();
    await database?.drop();
  });

  it("sends finished traces as OTLP/HTTP JSON with GenAI attributes and the configured headers", async () => {
    receiver.received.length = 0;
    const config = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: origin, OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=s3cret,Authorization=Basic%20abc", OTEL_SERVICE_NAME: "calibrate-test" });
    const tracer = createConfiguredTracer(config, database.db);
    const first = await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: call, repair: true, model: "deepseek-chat", agent: "summary", version: "v3" });
    const second = await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: call, fail: "context_length_exceeded" });
    await tracer.close();

    expect(receiver.received).toHaveLength(1); // both in one batch
    const request = receiver.received[0];
    expect(request.url).toBe("/v1/traces");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-api-key"]).toBe("s3cret");
    expect(request.headers.authorization).toBe("Basic abc");
    const body = JSON.parse(request.body) as OtlpBody;
    expect(valueOf(body.resourceSpans[0].resource.attributes, "service.name")).toBe("calibrate-test");
    const spans = body.resourceSpans[0].scopeSpans[0].spans;
    expect(body.resourceSpans[0].scopeSpans[0].scope.name).toBe("calibrate.agents");

    const ofFirst = spans.filter((span) => span.traceId === first.replaceAll("-", ""));
    expect(ofFirst).toHaveLength(1 + 7); // the invocation + retrieval, prompt, call, parse, repair call, parse, result
    for (const span of spans) {
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(span.startTimeUnixNano).toMatch(/^\d{19}$/);
      expect(BigInt(span.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(span.startTimeUnixNano));
    }
    const root = ofFirst[0];
    expect(root.name).toBe("invoke_agent summary");
    expect(root.parentSpanId).toBeUndefined();
    expect(root.status.code).toBe(1);
    expect(valueOf(root.attributes, "gen_ai.operation.name")).toBe("invoke_agent");
    expect(valueOf(root.attributes, "gen_ai.agent.name")).toBe("summary");
    expect(valueOf(root.attributes, "gen_ai.request.model")).toBe("deepseek-chat");
    expect(valueOf(root.attributes, "gen_ai.provider.name")).toBe("openai");
    expect(valueOf(root.attributes, "calibrate.agent.version")).toBe("summary@v3");
    for (const child of ofFirst.slice(1)) expect(child.parentSpanId).toBe(root.spanId);

    const calls = ofFirst.filter((span) => valueOf(span.attributes, "gen_ai.operation.name") === "chat");
    expect(calls).toHaveLength(2);
    expect(calls[0].name).toBe("chat deepseek-chat");
    expect(calls[0].kind).toBe(3); // CLIENT
    expect(valueOf(calls[1].attributes, "calibrate.repair")).toBe(true);
    const inputTokens = calls.map((span) => Number(valueOf(span.attributes, "gen_ai.usage.input_tokens")));
    expect(inputTokens.every((tokens) => tokens > 0)).toBe(true);
    expect(Number(valueOf(root.attributes, "gen_ai.usage.input_tokens"))).toBe(inputTokens[0] + inputTokens[1]);
    expect(Number(valueOf(calls[0].attributes, "gen_ai.usage.output_tokens"))).toBe(160);
    expect(String(valueOf(calls[0].attributes, "gen_ai.input.messages"))).toContain("<transcript>");
    const parseError = ofFirst.find((span) => span.name === "validate output" && span.status.code === 2);
    expect(parseError?.status.message).toContain("not valid JSON");

    const failed = spans.filter((span) => span.traceId === second.replaceAll("-", ""));
    expect(failed[0].status).toEqual({ code: 2, message: "context_length_exceeded" });
    expect(valueOf(failed[0].attributes, "error.type")).toBe("context_length_exceeded");
  });

  it("batches, retries a failed POST once, then logs and drops the batch without failing the agent", async () => {
    receiver.received.length = 0;
    const warnings: string[] = [];
    const logger = { warn: (_details: Record<string, unknown>, message: string) => warnings.push(message) };
    const exporter = createOtlpExporter({ endpoint: `${origin}/`, maxBatch: 2, retryDelayMs: 20, flushIntervalMs: 60_000, logger });
    const tracer = createDatabaseTracer(database.db, { exporter, logger });

    receiver.script.push(503); // the first POST fails, its retry succeeds
    const ids = [];
    for (let index = 0; index < 3; index++) ids.push(await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: call }));
    await exporter.flush();
    expect(receiver.received.map((request) => request.url)).toEqual(["/v1/traces", "/v1/traces", "/v1/traces"]);
    const traceIdsIn = (index: number) => [...new Set((JSON.parse(receiver.received[index].body) as OtlpBody).resourceSpans[0].scopeSpans[0].spans.map((span) => span.traceId))];
    // The batch of 2 failed (503) and was sent again; the third trace went in its own batch.
    expect(traceIdsIn(0)).toHaveLength(2);
    expect([1, 2].map((index) => traceIdsIn(index).length).sort()).toEqual([1, 2]);
    expect(new Set([1, 2].flatMap(traceIdsIn))).toEqual(new Set(ids.map((id) => id.replaceAll("-", ""))));
    expect(warnings).toEqual([]);

    receiver.received.length = 0;
    receiver.script.push(500, 500);
    const lost = await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: call });
    await exporter.flush();
    expect(receiver.received).toHaveLength(2);
    expect(warnings).toEqual(["Could not export traces to the OTLP collector; dropped them"]);
    // The trace itself is in the database: export failures never touch the agent's record.
    expect((await database.db.query("SELECT 1 FROM traces WHERE id = $1", [lost])).rows).toHaveLength(1);
    await exporter.close();
  });

  it("parses OTEL_EXPORTER_OTLP_HEADERS", () => {
    expect(parseOtlpHeaders("a=1, b = two%20words ,broken,=x")).toEqual({ a: "1", b: "two words" });
    expect(parseOtlpHeaders(undefined)).toEqual({});
  });
});
