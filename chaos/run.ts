/**
 * `npm run chaos`: the whole fault suite on real processes (see chaos/README.md). Prints one row per
 * fault and exits non-zero when anything was lost, duplicated or left behind, a 500 was seen, or
 * recovery took longer than 30 s.
 */
import { availableParallelism, loadavg } from "node:os";
import { createWorkDirectory, missingTools } from "./processes.ts";
import type { FaultRow } from "./suite.ts";
import { deploy, faults, runFault, startShared } from "./suite.ts";

const missing = missingTools();
if (missing.length > 0) {
  console.error(`npm run chaos needs: ${missing.join(", ")}. On Debian: bash scripts/setup-test-machine.sh`);
  process.exit(2);
}

const keep = process.argv.includes("--keep");
const work = createWorkDirectory();
console.log(`Work directory: ${work.path}${keep ? " (kept)" : ""}`);
const shared = await startShared(work.path, { transcriptionDelayMs: 1500, audioSeconds: 24 });
const rows: FaultRow[] = [];
let failed = false;

function report(result: Awaited<ReturnType<typeof runFault>>): void {
  rows.push(result.row);
  const row = result.row;
  const bad = row.lost > 0 || row.duplicated > 0 || row.orphans > 0 || row["5xx seen"] > 0 || !(row["seconds to recover"] < 30) || row.sse !== "ok";
  failed ||= bad;
  console.log(`${bad ? "✗" : "✓"} ${row.fault}: ${row.accepted}/${row["requests sent"]} accepted, recovered in ${row["seconds to recover"]} s`);
  for (const problem of result.problems) console.log(`    problem: ${problem}`);
  for (const note of result.notes.slice(0, 10)) console.log(`    note: ${note}`);
}

const load0 = loadavg()[0];
try {
  const scaled = await deploy(shared, "bullmq");
  try {
    for (const fault of [
      faults.killWorkerMidTranscription,
      faults.killWorkerMidDraft,
      faults.killApiMidUpload,
      faults.flushRedis,
      faults.restartPostgres("pg_ctl restart -m fast (1)"),
      faults.restartPostgres("pg_ctl restart -m fast (2)"),
      faults.gracefulStop,
    ]) report(await runFault(scaled, fault));
  } finally {
    await scaled.stop();
  }
  const embedded = await deploy(shared, "embedded");
  try {
    report(await runFault(embedded, faults.killAllInOne));
    report(await runFault(embedded, { ...faults.restartPostgres("pg_ctl restart -m fast (embedded)") }));
  } finally {
    await embedded.stop();
  }
} finally {
  await shared.stop();
  if (!keep) work.remove();
}

console.log(`\nFault suite: PostgreSQL 15 + Redis + API + 2 workers (BullMQ), then npm start (embedded). Target: 0 lost, 0 duplicated, 0 orphans, no 500s, recovery < 30 s.`);
console.log(`Machine: ${availableParallelism()} cores, load average ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end (1 min)`);
console.table(rows);
process.exit(failed ? 1 : 0);
