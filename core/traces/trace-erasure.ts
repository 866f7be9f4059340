/**
 * Traces follow the recording's erasure. The recording's own traces go by ON DELETE CASCADE
 * (migration 009). Its approved examples may also have been copied into *other* calls' traces as
 * few-shot examples: those copies are replaced by "(erased)" — in the retrieval span, the rendered
 * prompt, the request body and the search text — before the recording row goes. Called from
 * `eraseRecording` inside its transaction.
 */
import type { Queryable } from "../db/database.ts";
import { erasedExample, examplesWhere, replaceTexts } from "./example-masking.ts";
import { searchTextOf, teamSearchTextOf } from "./trace-store.ts";

interface SpanRow {
  id: string;
  traceId: string;
  kind: string;
  input: unknown;
  output: unknown;
  error: string | null;
}

/** Scrubs the erased recording's example texts from other traces. Returns how many traces changed. */
export async function eraseExampleCopies(db: Queryable, recordingId: string): Promise<number> {
  // Traces being written with this recording's examples hold a key-share lock on it: wait for them
  // (then they are seen below), and make later ones fail their foreign key instead of slipping past.
  await db.query("SELECT 1 FROM recordings WHERE id = $1 FOR UPDATE", [recordingId]);
  const { rows: spans } = await db.query<SpanRow>(
    `SELECT span.id, span.trace_id AS "traceId", span.kind, span.input, span.output, span.error
       FROM trace_spans span
      WHERE span.trace_id IN (SELECT trace_id FROM trace_example_sources WHERE recording_id = $1)
      ORDER BY span.trace_id, span.position`,
    [recordingId],
  );
  const byTrace = new Map<string, SpanRow[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  for (const [traceId, traceSpans] of byTrace) {
    const texts = traceSpans
      .filter((span) => span.kind === "retrieval")
      .flatMap((span) => examplesWhere(span.output, (example) => example.recordingId === recordingId))
      .map((example) => example.text)
      .filter((text): text is string => typeof text === "string");
    const { rows: traces } = await db.query<{ input: unknown; output: unknown; error: string | null; teamId: string | null }>(
      `SELECT input, output, error, team_id AS "teamId" FROM traces WHERE id = $1`,
      [traceId],
    );
    const input = replaceTexts(traces[0]?.input ?? null, texts, erasedExample);
    const output = replaceTexts(traces[0]?.output ?? null, texts, erasedExample);
    const scrubbed = traceSpans.map((span) => ({
      ...span,
      input: replaceTexts(span.input, texts, erasedExample),
      output:
        span.kind === "retrieval"
          ? replaceTexts(
              (span.output as unknown[]).map((item) =>
                typeof item === "object" && item !== null && (item as { recordingId?: unknown }).recordingId === recordingId
                  ? { ...item, text: erasedExample, erased: true }
                  : item,
              ),
              texts,
              erasedExample,
            )
          : replaceTexts(span.output, texts, erasedExample),
    }));
    for (const span of scrubbed) {
      await db.query("UPDATE trace_spans SET input = $2::jsonb, output = $3::jsonb WHERE id = $1", [
        span.id,
        span.input === null ? null : JSON.stringify(span.input),
        span.output === null ? null : JSON.stringify(span.output),
      ]);
    }
    const scrubbedTrace = { input, output, error: traces[0]?.error ?? null, spans: scrubbed };
    await db.query("UPDATE traces SET input = $2::jsonb, output = $3::jsonb, search_text = $4, search_text_team = $5 WHERE id = $1", [
      traceId,
      input === null ? null : JSON.stringify(input),
      output === null ? null : JSON.stringify(output),
      searchTextOf(scrubbedTrace),
      teamSearchTextOf(scrubbedTrace, traces[0]?.teamId ?? null),
    ]);
  }
  await db.query("DELETE FROM trace_example_sources WHERE recording_id = $1", [recordingId]);
  return byTrace.size;
}
