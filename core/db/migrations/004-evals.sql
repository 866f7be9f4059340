-- Why: eval runs need to say exactly what they ran (the target with its prompt-set content hash
-- and model, and the run's settings); public datasets keep their published validation split
-- apart from train and test; re-importing the same samples must not pile up identical versions,
-- and naming a version must not count its samples every time;
-- the LLM cache keeps each answer's latency so a cached re-run reports the model's latency, not
-- the cache's; and the local engine answers in well under a millisecond, which an integer
-- latency column would record as 0.

ALTER TABLE dataset_samples DROP CONSTRAINT dataset_samples_split_check;
ALTER TABLE dataset_samples ADD CONSTRAINT dataset_samples_split_check
  CHECK (split IN ('train', 'validation', 'test'));

-- Importing the same file or public set again finds the version it already made.
ALTER TABLE dataset_versions ADD COLUMN content_hash text;
-- A version is immutable, so its split sizes and label set are stored once rather than counted
-- over every sample each time a version is named (erasing a recording later removes its samples;
-- these describe the version as it was made).
ALTER TABLE dataset_versions ADD COLUMN split_counts jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE dataset_versions ADD COLUMN labels text[] NOT NULL DEFAULT '{}';

-- Keeps a version's samples in the order they were snapshotted or imported (exports diff cleanly).
ALTER TABLE dataset_samples ADD COLUMN position integer NOT NULL DEFAULT 0;

ALTER TABLE eval_runs ADD COLUMN target jsonb NOT NULL DEFAULT '{}'::jsonb;
-- Model, prompt-set content hash, classifier settings: two runs with equal fingerprints on the
-- same dataset version measure the same thing, so a gate may reuse the earlier one.
ALTER TABLE eval_runs ADD COLUMN fingerprint text;
ALTER TABLE eval_runs ADD COLUMN options jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE eval_runs ADD COLUMN started_at timestamptz;
CREATE INDEX eval_runs_workspace ON eval_runs (workspace_id, created_at DESC);
CREATE INDEX eval_runs_dataset_version ON eval_runs (dataset_version_id, fingerprint, finished_at DESC);

ALTER TABLE eval_results ALTER COLUMN latency_ms TYPE real;
ALTER TABLE eval_results ADD COLUMN position integer NOT NULL DEFAULT 0;

ALTER TABLE llm_cache ADD COLUMN latency_ms real;
