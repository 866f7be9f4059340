/**
 * Capability map at scale: generates a year of history with 1,000,000 decisions (INSERT … SELECT
 * generate_series, deterministic) in a dedicated database, then times the full rollup rebuild, an
 * incremental refresh after 1,000 new decisions, the map request (admin and manager views) and the
 * cell drill-down.
 *
 *   npx tsx bench/capability-map.ts                  # PostgreSQL (BENCH_DATABASE_URL)
 *   npx tsx bench/capability-map.ts --pglite         # PostgreSQL, then PGlite in memory
 *   npx tsx bench/capability-map.ts --decisions=200000 --requests=20
 *   npx tsx bench/capability-map.ts --keep           # keep the PostgreSQL database to EXPLAIN queries
 *
 * BENCH_DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/test; a database named
 * calibrate_bench_<random> is created next to it and dropped at the end.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Actor } from "../core/auth/actor.ts";
import { getCapabilityMap } from "../core/capability-map/capability-map.ts";
import { getCapabilityCell } from "../core/capability-map/cell-detail.ts";
import { refreshCapabilityRollup } from "../core/capability-map/rollup.ts";
import type { Db, Queryable } from "../core/db/database.ts";
import { connectPostgres, openPglite } from "../core/db/database.ts";
import { migrate } from "../core/db/migrate.ts";

const argument = (name: string) =>
  process.argv.find((value) => value.startsWith(`--${name}=`))?.split("=")[1];
const decisionCount = Number(argument("decisions") ?? 1_000_000);
const requestCount = Number(argument("requests") ?? 20);
const withPglite = process.argv.includes("--pglite");
const keep = process.argv.includes("--keep");
const baseUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const itemsPerDraft = 15;
// About 10 % of decisions are second decisions on an item (half undo the first, half re-decide).
const itemCount = Math.round(decisionCount / 1.1);
const draftCount = Math.ceil(itemCount / itemsPerDraft);
const days = 365;
const firstDay = "2025-10-01";

interface Row {
  database: string;
  step: string;
  runs: number;
  "p50 ms": number;
  "p95 ms": number;
  detail: string;
}

async function time<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] * 10) /
    10
  );
}

/**
 * Teams (2 regions × 3 squads), one rep per squad, one reviewer; the history in SQL, in one
 * transaction with foreign-key triggers off (the rows are consistent by construction, and checking
 * a million references would dominate the set-up time).
 */
async function generate(database: Db) {
  return database.transaction(async (db) => {
    await db.query("SET LOCAL session_replication_role = replica");
    return generateHistory(db);
  });
}

async function generateHistory(db: Queryable): Promise<{
  workspaceId: string;
  regions: Array<{ id: string; path: string }>;
  squads: Array<{ id: string; path: string }>;
}> {
  const { rows } = await db.query<{ id: string }>(
    "SELECT id FROM workspaces WHERE slug = 'default'",
  );
  const workspaceId = rows[0].id;
  await db.exec(`
    INSERT INTO teams (id, workspace_id, name, path)
      SELECT md5('region' || r)::uuid, '${workspaceId}', 'Region ' || r, '/' || md5('region' || r)::uuid || '/'
        FROM generate_series(1, 2) r;
    INSERT INTO teams (id, workspace_id, parent_id, name, path)
      SELECT md5('squad' || s)::uuid, '${workspaceId}', md5('region' || ((s - 1) / 3 + 1))::uuid, '小组 ' || s,
             '/' || md5('region' || ((s - 1) / 3 + 1))::uuid || '/' || md5('squad' || s)::uuid || '/'
        FROM generate_series(1, 6) s;
    INSERT INTO users (id, workspace_id, team_id, email, display_name, role, password_hash)
      SELECT md5('rep' || s)::uuid, '${workspaceId}', md5('squad' || s)::uuid, 'rep' || s || '@bench.test', 'Rep ' || s, 'rep', 'x'
        FROM generate_series(1, 6) s;
    INSERT INTO users (id, workspace_id, team_id, email, display_name, role, password_hash)
      VALUES (md5('reviewer')::uuid, '${workspaceId}', md5('region1')::uuid, 'reviewer@bench.test', 'Reviewer', 'trainer', 'x');
  `);
  const stages =
    "(ARRAY['lead','discovery','demo','proposal','negotiation','closed_won','closed_lost','renewal'])";
  const squadOf = `(abs(hashtext('squad' || n)) % 6 + 1)`;
  await db.exec(`
    INSERT INTO recordings (id, workspace_id, team_id, owner_id, source, title, original_filename, content_sha256,
        byte_size, customer_stage, consent_confirmed_at, status, created_at, updated_at)
      SELECT md5('recording' || n)::uuid, '${workspaceId}', md5('squad' || ${squadOf})::uuid, md5('rep' || ${squadOf})::uuid,
             'transcript', '通话 ' || n, 'call.txt', md5('content' || n), 1000,
             ${stages}[abs(hashtext('stage' || n)) % 8 + 1],
             at, 'ready', at, at
        FROM (SELECT n, '${firstDay}'::timestamptz + (n::float8 / ${draftCount} * ${days}) * interval '1 day' AS at
                FROM generate_series(1, ${draftCount}) n) calls;
    INSERT INTO transcripts (id, recording_id, transcriber)
      SELECT md5('transcript' || n)::uuid, md5('recording' || n)::uuid, 'bench' FROM generate_series(1, ${draftCount}) n;
    INSERT INTO drafts (id, recording_id, transcript_id, engine, model, created_at)
      SELECT md5('draft' || n)::uuid, md5('recording' || n)::uuid, md5('transcript' || n)::uuid, 'local', 'bench',
             '${firstDay}'::timestamptz + (n::float8 / ${draftCount} * ${days}) * interval '1 day' + interval '5 minutes'
        FROM generate_series(1, ${draftCount}) n;
    INSERT INTO draft_items (id, draft_id, recording_id, kind, position, content)
      SELECT md5('item' || i)::uuid, md5('draft' || ((i - 1) / ${itemsPerDraft} + 1))::uuid,
             md5('recording' || ((i - 1) / ${itemsPerDraft} + 1))::uuid,
             (ARRAY['intent','action_item','talk_track'])[i % 3 + 1], (i - 1) % ${itemsPerDraft}, '{}'
        FROM generate_series(1, ${itemCount}) i;
  `);
  // First decisions: one per item for 95 % of items (accept 65 %, override 20 %, reject 15 %), a
  // few hours after the draft; decision_ms spread log-uniformly between ~1 s and ~2.5 minutes.
  await db.exec(`
    INSERT INTO decisions (id, draft_item_id, recording_id, workspace_id, team_id, customer_stage, user_id, action,
        revision, shown_at, decided_at, decision_ms)
      SELECT md5('decision' || i)::uuid, item.id, recording.id, recording.workspace_id, recording.team_id,
             recording.customer_stage, md5('reviewer')::uuid,
             CASE WHEN abs(hashtext('action' || i)) % 100 < 65 THEN 'accept'
                  WHEN abs(hashtext('action' || i)) % 100 < 85 THEN 'override' ELSE 'reject' END,
             0, draft.created_at + interval '1 hour', draft.created_at + interval '2 hours',
             (exp(7 + (abs(hashtext('ms' || i)) % 1000) / 1000.0 * 5))::integer
        FROM generate_series(1, ${itemCount}) i
        JOIN draft_items item ON item.id = md5('item' || i)::uuid
        JOIN drafts draft ON draft.id = item.draft_id
        JOIN recordings recording ON recording.id = draft.recording_id
       WHERE abs(hashtext('decided' || i)) % 100 < 95;
  `);
  const { rows: first } = await db.query<{ count: number }>(
    "SELECT count(*)::integer AS count FROM decisions",
  );
  const remaining = decisionCount - first[0].count;
  // Second decisions fill up to the total, on distinct first decisions picked in pseudo-random (id)
  // order: odd ones undo the first decision, even ones override it a day later.
  await db.exec(`
    INSERT INTO decisions (id, draft_item_id, recording_id, workspace_id, team_id, customer_stage, user_id, action,
        revision, undoes_decision_id, shown_at, decided_at, decision_ms)
      SELECT md5('second' || k)::uuid, first.draft_item_id, first.recording_id, first.workspace_id, first.team_id,
             first.customer_stage, first.user_id, CASE WHEN k % 2 = 1 THEN 'undo' ELSE 'override' END, 1,
             CASE WHEN k % 2 = 1 THEN first.id END, first.decided_at + interval '1 day',
             first.decided_at + interval '1 day', 2000 + k % 20000
        FROM (SELECT decisions.*, row_number() OVER (ORDER BY id) AS k FROM decisions) first
       WHERE k <= ${remaining};
  `);
  const { rows: teams } = await db.query<{ id: string; path: string; parent: string | null }>(
    `SELECT id, path, parent_id AS parent FROM teams WHERE workspace_id = $1 ORDER BY path`,
    [workspaceId],
  );
  return {
    workspaceId,
    regions: teams.filter((team) => team.parent === null),
    squads: teams.filter((team) => team.parent !== null),
  };
}

async function benchmark(database: string, db: Db): Promise<Row[]> {
  const rows: Row[] = [];
  const generated = await time(async () => {
    const result = await generate(db);
    // What autovacuum does to a table that stops growing: statistics and the visibility map
    // (index-only scans), so the timings are those of a steady state, not of a fresh bulk load.
    await db.exec("VACUUM ANALYZE");
    return result;
  });
  const { workspaceId, regions, squads } = generated.result;
  const { rows: counts } = await db.query<{ decisions: number; items: number; drafts: number }>(
    `SELECT (SELECT count(*) FROM decisions)::integer AS decisions, (SELECT count(*) FROM draft_items)::integer AS items,
            (SELECT count(*) FROM drafts)::integer AS drafts`,
  );
  rows.push({
    database,
    step: "generate history",
    runs: 1,
    "p50 ms": Math.round(generated.ms),
    "p95 ms": Math.round(generated.ms),
    detail: `${counts[0].decisions} decisions, ${counts[0].items} items, ${counts[0].drafts} drafts`,
  });

  const full = await time(() => refreshCapabilityRollup(db, { workspaceId, mode: "full" }));
  const { rows: rollupRows } = await db.query<{ count: number }>(
    "SELECT count(*)::integer AS count FROM capability_rollup",
  );
  rows.push({
    database,
    step: "rollup: full rebuild",
    runs: 1,
    "p50 ms": Math.round(full.ms),
    "p95 ms": Math.round(full.ms),
    detail: `${full.result.days} days, ${rollupRows[0].count} rollup rows`,
  });

  // 1,000 new decisions today on items of calls from the last 30 days: what a busy hour adds.
  await db.query(
    `INSERT INTO decisions (draft_item_id, recording_id, workspace_id, team_id, customer_stage, user_id, action, revision, shown_at, decision_ms)
     SELECT item.id, recording.id, recording.workspace_id, recording.team_id, recording.customer_stage, md5('reviewer')::uuid,
            'override', 2, now(), 4321
       FROM draft_items item JOIN drafts draft ON draft.id = item.draft_id JOIN recordings recording ON recording.id = draft.recording_id
      WHERE draft.created_at > (SELECT max(created_at) FROM drafts) - interval '30 days'
      ORDER BY item.id LIMIT 1000`,
  );
  const incremental = await time(() => refreshCapabilityRollup(db, { workspaceId, mode: "auto" }));
  rows.push({
    database,
    step: "rollup: incremental (1,000 new decisions)",
    runs: 1,
    "p50 ms": Math.round(incremental.ms),
    "p95 ms": Math.round(incremental.ms),
    detail: `${incremental.result.mode}, ${incremental.result.days} days recomputed`,
  });

  const admin: Actor = {
    id: randomBytes(16).toString("hex"),
    workspaceId,
    teamId: regions[0].id,
    teamPath: "/",
    role: "admin",
    email: "admin@bench.test",
    displayName: "Admin",
    locale: "en",
  };
  const manager: Actor = {
    ...admin,
    role: "manager",
    teamId: regions[0].id,
    teamPath: regions[0].path,
  };
  const repeat = async (step: string, work: () => Promise<string>) => {
    await work(); // warm-up: plan cache, buffers
    const times: number[] = [];
    let detail = "";
    for (let run = 0; run < requestCount; run += 1) {
      const { result, ms } = await time(work);
      times.push(ms);
      detail = result;
    }
    rows.push({
      database,
      step,
      runs: requestCount,
      "p50 ms": percentile(times, 0.5),
      "p95 ms": percentile(times, 0.95),
      detail,
    });
  };
  await repeat("map: admin, 2026-Q2 vs Q1", async () => {
    const map = await getCapabilityMap(db, admin, { quarter: "2026-Q2" });
    const decided = map.cells
      .filter((cell) => map.teams.find((team) => team.id === cell.teamId)?.depth === 0)
      .reduce((sum, cell) => sum + cell.decidedItems, 0);
    return `${map.teams.length} teams × ${map.stages.length} stages, ${decided} decided items`;
  });
  await repeat("map: manager (one region)", async () => {
    const map = await getCapabilityMap(db, manager, { quarter: "2026-Q2" });
    return `${map.cells.length} cells`;
  });
  await repeat("map: custom range, 30 days", async () => {
    const map = await getCapabilityMap(db, admin, { from: "2026-05-01", to: "2026-05-30" });
    return `${map.cells.length} cells`;
  });
  await repeat("drill-down: region × discovery, page 1", async () => {
    const cell = await getCapabilityCell(db, manager, {
      quarter: "2026-Q2",
      teamId: regions[0].id,
      stage: "discovery",
    });
    return `${cell.calls.total} calls, ${cell.decisions.total} decisions`;
  });
  await repeat("drill-down: squad × demo, page 10", async () => {
    const cell = await getCapabilityCell(db, admin, {
      quarter: "2026-Q2",
      teamId: squads[0].id,
      stage: "demo",
      callsPage: 10,
      decisionsPage: 10,
    });
    return `${cell.calls.total} calls, ${cell.decisions.total} decisions`;
  });
  return rows;
}

async function onPostgres(): Promise<Row[]> {
  const url = new URL(baseUrl);
  const name = `calibrate_bench_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${name}`;
  const db = connectPostgres(databaseUrl.toString(), { poolSize: 4 });
  try {
    await migrate(db);
    return await benchmark("postgres", db);
  } finally {
    await db.close();
    if (keep) console.log(`Kept ${databaseUrl} (drop it with DROP DATABASE ${name}).`);
    else {
      const cleanup = new pg.Client({ connectionString: url.toString() });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    }
  }
}

async function onPglite(): Promise<Row[]> {
  const db = await openPglite(null);
  try {
    await migrate(db);
    return await benchmark("pglite", db);
  } finally {
    await db.close();
  }
}

const results: Row[] = [];
console.log(
  `Generating ${decisionCount.toLocaleString()} decisions (${itemCount.toLocaleString()} items, ${draftCount.toLocaleString()} drafts) per database…`,
);
results.push(...(await onPostgres()));
console.table(results);
if (withPglite) {
  results.push(...(await onPglite()));
  console.table(results);
}
