/**
 * The short fault suite (`npm run chaos` is the long one; see chaos/README.md): real PostgreSQL 15,
 * Redis, an API server and two workers as separate processes, a small load, and three faults — a
 * PostgreSQL restart, a worker killed with SIGKILL mid-transcription, a Redis FLUSHALL — each followed
 * by the same invariants: nothing lost, nothing duplicated, nothing left behind, no 500, SSE back.
 * Recovery time is printed, not asserted (speed belongs to the suite's table, not to tests).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkDirectory, missingTools } from "../chaos/processes.ts";
import type { Deployment, Fault } from "../chaos/suite.ts";
import { deploy, faults, runFault, startShared } from "../chaos/suite.ts";

const missing = missingTools();
if (missing.length > 0) console.warn(`tests/chaos.test.ts skipped: it needs ${missing.join(", ")} (bash scripts/setup-test-machine.sh installs them).`);

const small = { uploads: 2, imports: 2, decisions: 4, utterances: 60, uploadBytesPerTick: 128 * 1024 };

describe.skipIf(missing.length > 0)("fault suite, short (real processes)", () => {
  let work: ReturnType<typeof createWorkDirectory>;
  let shared: Awaited<ReturnType<typeof startShared>>;
  let deployment: Deployment;

  beforeAll(async () => {
    work = createWorkDirectory();
    shared = await startShared(work.path, { transcriptionDelayMs: 1000, audioSeconds: 8 });
    deployment = await deploy(shared, "bullmq");
  }, 180_000);

  afterAll(async () => {
    await deployment?.stop();
    await shared?.stop();
    work?.remove();
  }, 60_000);

  async function survives(fault: Fault) {
    const { row, problems, notes } = await runFault(deployment, { ...fault, load: small }, { settleTimeoutMs: 60_000 });
    console.log(`${row.fault}: recovered in ${row["seconds to recover"]} s`, notes.length ? notes : "");
    expect(problems).toEqual([]);
    expect(row).toMatchObject({ lost: 0, duplicated: 0, orphans: 0, "5xx seen": 0, sse: "ok" });
    // Every request got an answer in the end (a 503 during the outage is retried, as clients should).
    expect(notes.filter((note) => note.includes("never answered"))).toEqual([]);
    expect(row.accepted).toBeGreaterThan(0);
    expect(Number.isFinite(row["seconds to recover"])).toBe(true);
  }

  it("loses nothing when PostgreSQL restarts (pg_ctl restart -m fast)", () => survives(faults.restartPostgres("pg_ctl restart -m fast")), 150_000);
  it("loses nothing when a worker is killed with SIGKILL mid-transcription", () => survives(faults.killWorkerMidTranscription), 150_000);
  it("loses nothing when Redis is flushed and restarted", () => survives(faults.flushRedis), 150_000);
});
