/**
 * The review queue's cost with a workspace's worth of pending intents: `listQueue` (a page of 50)
 * and `claimItems` (10 leases, released again) for every order, on PostgreSQL and PGlite, with
 * 20,000 pending intent items (100 calls × 200 utterances, 150 intents, confidences spread over
 * [0.05, 0.95]). "balanced" is the order the label-efficiency curve measures
 * (core/eval/label-efficiency.ts `pickBalanced`): a window function over every pending item, so
 * its cost grows with the queue. Target: a page or a claim in under 2 s (a queue refresh in seconds).
 *
 *   npm run bench -- review-queue                       # PostgreSQL (BENCH_DATABASE_URL) and PGlite
 *   npx tsx bench/review-queue.ts --items=20000 --repeats=20 --only=postgres
 */
import type { Db } from "../core/db/database.ts";
import { claimItems, listQueue, queueFiltersSchema, releaseLeases } from "../core/review/queue.ts";
import { createOrganisation } from "../tests/support/fixtures.ts";
import type { DatabaseKind } from "./support.ts";
import { describeMachine, printTable, summarise, time, withBenchDatabase } from "./support.ts";

const argument = (name: string) =>
  process.argv.find((value) => value.startsWith(`--${name}=`))?.split("=")[1];
const itemCount = Number(argument("items") ?? 20_000);
const repeats = Number(argument("repeats") ?? 20);
const kinds = (argument("only")?.split(",") ?? ["postgres", "pglite"]) as DatabaseKind[];
const itemsPerCall = 200;
const intentCount = 150;

/** `itemCount` pending intent items over ready calls of the north rep's, each with its latest draft. */
async function insertQueue(db: Db, workspaceId: string, teamId: string, ownerId: string): Promise<void> {
  const calls = Math.ceil(itemCount / itemsPerCall);
  await db.query(
    `INSERT INTO recordings (id, workspace_id, team_id, owner_id, source, title, original_filename, content_sha256,
       byte_size, customer_stage, consent_confirmed_at, status)
     SELECT md5('recording' || n)::uuid, $1, $2, $3, 'transcript', 'call ' || n, 'call.txt', md5('content' || n), 1000,
            'discovery', now(), 'ready'
     FROM generate_series(1, $4::int) AS n`,
    [workspaceId, teamId, ownerId, calls],
  );
  await db.query(
    `INSERT INTO transcripts (id, recording_id, transcriber)
     SELECT md5('transcript' || n)::uuid, md5('recording' || n)::uuid, 'bench' FROM generate_series(1, $1::int) AS n`,
    [calls],
  );
  await db.query(
    `INSERT INTO drafts (id, recording_id, transcript_id, engine, model)
     SELECT md5('draft' || n)::uuid, md5('recording' || n)::uuid, md5('transcript' || n)::uuid, 'local', 'local-intent@bench'
     FROM generate_series(1, $1::int) AS n`,
    [calls],
  );
  await db.query(
    `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, evidence, content, confidence)
     SELECT md5('draft' || at.call)::uuid, md5('recording' || at.call)::uuid, 'intent', at.p, at.p, ARRAY[at.p],
            jsonb_build_object('segment', at.p, 'intent', 'intent_' || (abs(hashtext('intent' || i)) % $2::int), 'confidence', x.c), x.c
     FROM generate_series(0, $1::int - 1) AS i,
          LATERAL (SELECT i / ${itemsPerCall} + 1 AS call, i % ${itemsPerCall} AS p) AS at,
          LATERAL (SELECT round((0.05 + (abs(hashtext('confidence' || i)) % 1000) / 1111.0)::numeric, 3)::float8 AS c) AS x`,
    [itemCount, intentCount],
  );
  await db.query("ANALYZE");
}

async function measure(kind: DatabaseKind): Promise<object[]> {
  return withBenchDatabase(kind, async ({ db }) => {
    const organisation = await createOrganisation(db);
    const trainer = organisation.users.trainer;
    await insertQueue(db, organisation.workspaceId, organisation.north.id, organisation.users.northRep.id);
    const rows: object[] = [];
    for (const order of ["uncertainty", "balanced", "newest", "oldest"] as const) {
      const filters = queueFiltersSchema.parse({ order, kind: "intent" });
      const listed: number[] = [];
      const claimed: number[] = [];
      for (let repeat = 0; repeat < repeats; repeat++) {
        listed.push((await time(() => listQueue(db, trainer, filters, { limit: 50 }))).ms);
        const claim = await time(() => claimItems(db, trainer, filters, { count: 10 }));
        claimed.push(claim.ms);
        await releaseLeases(db, trainer, claim.result.map((item) => item.id));
      }
      const list = summarise(listed);
      const claim = summarise(claimed);
      rows.push({
        database: kind,
        order,
        "pending items": itemCount,
        "list 50 p50 ms": list["p50 ms"],
        "list 50 p95 ms": list["p95 ms"],
        "claim 10 p50 ms": claim["p50 ms"],
        "claim 10 p95 ms": claim["p95 ms"],
      });
    }
    return rows;
  });
}

console.log(`Review queue benchmark — ${describeMachine()}`);
const rows: object[] = [];
for (const kind of kinds) rows.push(...(await measure(kind)));
printTable(
  `Review queue with ${itemCount} pending intent items (${intentCount} intents): a page of 50 and a claim of 10, ${repeats} times each; target < 2 s`,
  rows,
);
