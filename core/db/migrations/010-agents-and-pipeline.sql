-- Why: drafting becomes a per-call pipeline of agents (issue 12). An agent is a versioned unit
-- (purpose, engine binding, prompt set + label, retrieval, trigger, scope) stored like prompt sets:
-- immutable versions with a content hash, and labels (production, staging) that point at them. Each
-- call's pipeline is one `drafts` row (the container, so "latest draft per recording" keeps its
-- meaning) with one `agent_runs` row per agent invocation; draft items say which run made them.

CREATE TABLE agents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]*$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name)
);

-- Versions never change; an admin's binding of a connector + model, or a change of scope, is a new version.
CREATE TABLE agent_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version > 0),
  definition jsonb NOT NULL,
  content_hash text NOT NULL,
  source text NOT NULL CHECK (source IN ('file', 'api')),
  parent_version_id uuid REFERENCES agent_versions(id),
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agent_id, version)
);

CREATE TABLE agent_labels (
  agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  label text NOT NULL CHECK (label ~ '^[a-z][a-z0-9-]*$'),
  version_id uuid NOT NULL REFERENCES agent_versions(id),
  updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, label)
);

-- The draft job that started a pipeline: a second delivery of that job finds its pipeline here.
ALTER TABLE drafts ADD COLUMN pipeline_job_id uuid;
CREATE UNIQUE INDEX drafts_pipeline_job ON drafts (pipeline_job_id) WHERE pipeline_job_id IS NOT NULL;

CREATE TABLE agent_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  recording_id uuid NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  draft_id uuid NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
  agent text NOT NULL,
  -- `<agent>@<version>`, and the version row (null once an agent's versions were removed).
  agent_version text NOT NULL,
  agent_version_id uuid REFERENCES agent_versions(id) ON DELETE SET NULL,
  engine text CHECK (engine IN ('llm', 'local')),
  connector_id text,
  model text,
  prompt_set_version text,
  status text NOT NULL CHECK (status IN ('waiting', 'queued', 'running', 'succeeded', 'failed', 'skipped', 'needs_connector')),
  depends_on text[] NOT NULL DEFAULT '{}',
  -- A trace in `traces` (migration 009); a plain uuid so traces can be pruned on their own schedule.
  trace_id uuid,
  started_at timestamptz,
  finished_at timestamptz,
  duration_ms integer,
  input_tokens integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  cost_usd numeric(12, 6) NOT NULL DEFAULT 0,
  error text,
  -- What agents that make no draft items produced (the summary, the e-mail).
  output jsonb,
  items integer NOT NULL DEFAULT 0,
  -- Who asked for a re-run (null: the pipeline started it).
  requested_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_runs_draft ON agent_runs (draft_id, agent, created_at DESC);
CREATE INDEX agent_runs_recording ON agent_runs (recording_id, created_at DESC);
CREATE INDEX agent_runs_workspace_created ON agent_runs (workspace_id, created_at);

ALTER TABLE draft_items ADD COLUMN agent_run_id uuid REFERENCES agent_runs(id) ON DELETE SET NULL;
CREATE INDEX draft_items_agent_run ON draft_items (agent_run_id) WHERE agent_run_id IS NOT NULL;
