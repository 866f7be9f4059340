/**
 * The runner, whatever transport delivers the job: a handler may complete its job inside its own
 * transaction (`complete`), so the completion commits with what the job did — or rolls back with it.
 * The agent-run handler does this; here a plain handler on the `rollup` queue shows the contract.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryPublisher } from "../core/jobs/events.ts";
import { getJob, insertJob } from "../core/jobs/job-store.ts";
import { defineHandler, runJob } from "../core/jobs/runner.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";

describe.each(databaseKinds)("a job completed in its handler's transaction (%s)", (kind) => {
  let database: TestDatabase;
  let workspaceId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    workspaceId = (await database.db.query<{ id: string }>("SELECT id FROM workspaces")).rows[0].id;
    await database.db.query("CREATE TABLE job_runner_marks (job_id uuid PRIMARY KEY)");
  });
  afterAll(() => database.drop());

  const marked = async (jobId: string) =>
    (await database.db.query("SELECT 1 FROM job_runner_marks WHERE job_id = $1", [jobId])).rows.length > 0;

  it("commits the completion with the handler's work: the runner writes none, and a second delivery finds the job done", async () => {
    const { db } = database;
    const events = createMemoryPublisher();
    let calls = 0;
    const handler = defineHandler<"rollup">(async ({ payload, complete }) => {
      calls += 1;
      const completed = await db.transaction(async (transaction) => {
        await transaction.query("INSERT INTO job_runner_marks (job_id) VALUES ($1)", [payload.jobId]);
        return complete(transaction);
      });
      return completed ? { completed } : undefined;
    });
    const { job } = await insertJob(db, { queue: "rollup", payload: { workspaceId } });
    const delivery = { attemptsMade: 0, attemptsAllowed: 3 };
    expect(await runJob({ db, events }, "rollup", job.payload, handler, delivery)).toBe("completed");
    expect(await getJob(db, job.id)).toMatchObject({ state: "completed", progress: 1, attempts: 1 });
    expect(await marked(job.id)).toBe(true);
    expect(events.events.filter((event) => event.jobId === job.id).map((event) => event.state)).toEqual(["active", "completed"]);

    expect(await runJob({ db, events }, "rollup", job.payload, handler, delivery)).toBe("skipped");
    expect(calls).toBe(1);
  });

  it("rolls the completion back with the handler's work, and the runner records the retry", async () => {
    const { db } = database;
    const handler = defineHandler<"rollup">(async ({ payload, complete }) => {
      await db.transaction(async (transaction) => {
        await transaction.query("INSERT INTO job_runner_marks (job_id) VALUES ($1)", [payload.jobId]);
        await complete(transaction);
        throw new Error("the database went away before the commit");
      });
    });
    const { job } = await insertJob(db, { queue: "rollup", payload: { workspaceId } });
    await expect(runJob({ db }, "rollup", job.payload, handler, { attemptsMade: 0, attemptsAllowed: 3 })).rejects.toThrow(/went away/);
    expect(await getJob(db, job.id)).toMatchObject({ state: "queued", attempts: 1, error: "the database went away before the commit" });
    expect(await marked(job.id)).toBe(false);
  });
});
