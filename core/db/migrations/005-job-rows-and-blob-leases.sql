-- Why: without Redis, the job rows themselves are the queue (the embedded transport). A worker
-- claims a row by locking it (`locked_by`, `locked_at`, refreshed as a heartbeat while it runs), a
-- retry waits until `run_at` (exponential backoff), and a row whose worker stopped heart-beating is
-- handed back. `job_workers` lists the worker processes alive, for /healthz. (And `blob_leases`, below.)
ALTER TABLE jobs ADD COLUMN run_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE jobs ADD COLUMN locked_by text;
ALTER TABLE jobs ADD COLUMN locked_at timestamptz;

-- What a claim scans: the queued rows of some queues, oldest due first.
CREATE INDEX jobs_claimable ON jobs (queue, run_at) WHERE state = 'queued';
-- What the stalled-job sweep scans.
CREATE INDEX jobs_locked ON jobs (locked_at) WHERE state = 'active';

CREATE TABLE job_workers (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  queues text[] NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  seen_at timestamptz NOT NULL DEFAULT now()
);

-- Uploads in flight hold a lease on their content-addressed file, so that a failing upload never
-- removes a file that an identical upload running at the same moment is about to use.
CREATE TABLE blob_leases (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  storage_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX blob_leases_key ON blob_leases (storage_key);
