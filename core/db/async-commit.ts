/**
 * `synchronous_commit = off` for one statement: its commit returns without waiting for the WAL to
 * reach the disk (an fsync, the dominant cost of a small write on a busy machine — a few ms each).
 * PostgreSQL stays consistent; a crash of the database server can only forget the last few hundred
 * milliseconds of such commits (3 × wal_writer_delay at most), never half of one.
 *
 * Only for writes whose loss in a database crash is harmless, issued as ONE autocommit statement on
 * the pool — never inside a transaction, where the setting would cover the whole transaction:
 * connector leases (a forgotten take frees a slot early, a forgotten release lapses with its lease),
 * job events (NOTIFY: a live view, never the record), a job's claim or start (it is queued again and
 * run again, as after a worker's crash; core/jobs/job-store.ts), an agent run going `running` (it stays
 * `queued` and the redelivered job claims it again) and traces written on their own (sandbox, evals:
 * best effort already). An agent run's trace is written in the run's transaction and commits with it.
 *
 * Put `${asyncCommit}` in the statement's select list or a CTE it reads; it returns a text.
 */
export const asyncCommit = "set_config('synchronous_commit', 'off', true)";
