-- Why: the first schema — everything the pipeline stores, from users and teams through recordings,
-- transcripts, drafts and human decisions to prompt sets, datasets, eval runs and embeddings.
-- Postgres is the store of record; the `jobs` table is the truth about work, Redis only carries it.

CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE workspaces (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
  name text NOT NULL,
  -- Per-workspace list of customer stages, in pipeline order.
  customer_stages text[] NOT NULL DEFAULT ARRAY['lead','discovery','demo','proposal','negotiation','closed_won','closed_lost','renewal'],
  intents jsonb,           -- null: the built-in default taxonomy
  action_catalogue jsonb,  -- null: the built-in default catalogue
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO workspaces (slug, name) VALUES ('default', 'Calibrate');

-- Teams nest (region > squad > cell). `path` is the chain of ids from the root, '/a/b/c/',
-- so a whole subtree is one indexed prefix match.
CREATE TABLE teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  parent_id uuid REFERENCES teams(id) ON DELETE RESTRICT,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  path text NOT NULL UNIQUE,
  -- Which stereo channel carries the rep in this team's call recordings.
  agent_channel text NOT NULL DEFAULT 'left' CHECK (agent_channel IN ('left', 'right')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX teams_sibling_name ON teams (workspace_id, coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));
CREATE INDEX teams_path ON teams (path text_pattern_ops);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  team_id uuid NOT NULL REFERENCES teams(id) ON DELETE RESTRICT,
  email text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('rep', 'trainer', 'manager', 'admin')),
  password_hash text NOT NULL,
  locale text NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en')),
  hotkeys jsonb NOT NULL DEFAULT '{}'::jsonb,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_team ON users (team_id);

-- Only hashes are stored: a database dump does not hand out sessions or tokens.
CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE recordings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  team_id uuid NOT NULL REFERENCES teams(id) ON DELETE RESTRICT,
  owner_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  source text NOT NULL CHECK (source IN ('audio', 'transcript')),
  title text NOT NULL,
  original_filename text NOT NULL,
  content_sha256 text NOT NULL,
  storage_key text,
  byte_size bigint NOT NULL,
  media_type text,
  duration_ms integer,
  channels smallint,
  customer_reference text,
  customer_stage text NOT NULL,
  call_date date,
  language text NOT NULL DEFAULT 'auto' CHECK (language IN ('auto', 'zh', 'en')),
  consent_confirmed_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'normalising', 'transcribing', 'drafting', 'ready', 'failed', 'erased')),
  progress real NOT NULL DEFAULT 0,
  failure_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recordings_owner ON recordings (owner_id, created_at DESC);
CREATE INDEX recordings_team ON recordings (team_id, created_at DESC);
-- A re-upload of the same content by the same rep is recognised, not stored twice.
CREATE UNIQUE INDEX recordings_owner_content ON recordings (owner_id, content_sha256) WHERE status <> 'erased';

-- The customer's right to erasure: what was erased, by whom, when — never the content.
CREATE TABLE erasures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  recording_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  erased_by uuid REFERENCES users(id) ON DELETE SET NULL,
  erased_at timestamptz NOT NULL DEFAULT now(),
  items jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE TABLE transcripts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  recording_id uuid NOT NULL UNIQUE REFERENCES recordings(id) ON DELETE CASCADE,
  language text,
  transcriber text NOT NULL,
  model text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE segments (
  transcript_id uuid NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
  ordinal integer NOT NULL,
  start_ms integer NOT NULL,
  end_ms integer NOT NULL CHECK (end_ms >= start_ms),
  speaker text NOT NULL,
  -- `text` is redacted and is what leaves the machine; `original_text` is shown only to the
  -- recording's rep and to admins.
  text text NOT NULL,
  original_text text NOT NULL,
  redactions jsonb NOT NULL DEFAULT '[]'::jsonb,
  language text,
  confidence real,
  PRIMARY KEY (transcript_id, ordinal)
);

CREATE TABLE prompt_sets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]*$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name)
);

-- Versions are immutable; labels point at them.
CREATE TABLE prompt_set_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  prompt_set_id uuid NOT NULL REFERENCES prompt_sets(id) ON DELETE CASCADE,
  version text NOT NULL CHECK (version ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$'),
  manifest jsonb NOT NULL,
  system_template text NOT NULL,
  user_template text NOT NULL,
  content_hash text NOT NULL,
  source text NOT NULL CHECK (source IN ('file', 'api')),
  parent_version_id uuid REFERENCES prompt_set_versions(id),
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (prompt_set_id, version)
);

CREATE TABLE prompt_set_labels (
  prompt_set_id uuid NOT NULL REFERENCES prompt_sets(id) ON DELETE CASCADE,
  label text NOT NULL CHECK (label ~ '^[a-z][a-z0-9-]*$'),
  version_id uuid NOT NULL REFERENCES prompt_set_versions(id),
  updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (prompt_set_id, label)
);

-- Every move of a label (publish, roll back) is kept, so "what was production on date X" has an answer.
CREATE TABLE prompt_set_label_events (
  id bigserial PRIMARY KEY,
  prompt_set_id uuid NOT NULL REFERENCES prompt_sets(id) ON DELETE CASCADE,
  label text NOT NULL,
  from_version_id uuid REFERENCES prompt_set_versions(id),
  to_version_id uuid NOT NULL REFERENCES prompt_set_versions(id),
  moved_by uuid REFERENCES users(id) ON DELETE SET NULL,
  moved_at timestamptz NOT NULL DEFAULT now()
);

-- Versioned local intent models, trained on the trainers' labels.
CREATE TABLE intent_models (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  version integer NOT NULL,
  label_count integer NOT NULL,
  labels text[] NOT NULL,
  metrics jsonb NOT NULL DEFAULT '{}'::jsonb,
  model bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, version)
);

CREATE TABLE drafts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  recording_id uuid NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  transcript_id uuid NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
  engine text NOT NULL CHECK (engine IN ('llm', 'local')),
  model text NOT NULL,
  prompt_set_version_id uuid REFERENCES prompt_set_versions(id),
  prompt_set_version text,
  input_tokens integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  latency_ms integer NOT NULL DEFAULT 0,
  estimated_cost_usd numeric(12, 6) NOT NULL DEFAULT 0,
  notes jsonb NOT NULL DEFAULT '[]'::jsonb,
  raw_output text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX drafts_recording ON drafts (recording_id, created_at DESC);

CREATE TABLE draft_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  draft_id uuid NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
  recording_id uuid NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('intent', 'action_item', 'talk_track')),
  position integer NOT NULL,
  segment_ordinal integer,
  evidence integer[] NOT NULL DEFAULT '{}',
  content jsonb NOT NULL,
  confidence real,
  -- Optimistic concurrency: a decision names the revision it saw; a newer one means 409.
  revision integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected', 'overridden')),
  current_content jsonb,
  UNIQUE (draft_id, kind, position)
);
CREATE INDEX draft_items_recording ON draft_items (recording_id, kind);
CREATE INDEX draft_items_pending ON draft_items (status, confidence) WHERE status = 'pending';

CREATE TABLE decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  draft_item_id uuid NOT NULL REFERENCES draft_items(id) ON DELETE CASCADE,
  recording_id uuid NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  team_id uuid NOT NULL REFERENCES teams(id),
  customer_stage text NOT NULL,
  user_id uuid NOT NULL REFERENCES users(id),
  action text NOT NULL CHECK (action IN ('accept', 'reject', 'override', 'undo')),
  before_content jsonb,
  after_content jsonb,
  revision integer NOT NULL,
  undoes_decision_id uuid REFERENCES decisions(id),
  shown_at timestamptz NOT NULL,
  decided_at timestamptz NOT NULL DEFAULT now(),
  decision_ms integer NOT NULL CHECK (decision_ms >= 0)
);
CREATE INDEX decisions_item ON decisions (draft_item_id, decided_at DESC);
CREATE INDEX decisions_slice ON decisions (workspace_id, decided_at, team_id, customer_stage);
CREATE INDEX decisions_user ON decisions (user_id, decided_at DESC);

CREATE TABLE datasets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  source text NOT NULL DEFAULT 'workspace',
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name)
);

CREATE TABLE dataset_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dataset_id uuid NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  version integer NOT NULL,
  filters jsonb NOT NULL DEFAULT '{}'::jsonb,
  split_seed integer NOT NULL,
  test_share real NOT NULL,
  sample_count integer NOT NULL DEFAULT 0,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (dataset_id, version)
);

CREATE TABLE dataset_samples (
  id bigserial PRIMARY KEY,
  dataset_version_id uuid NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,
  split text NOT NULL CHECK (split IN ('train', 'test')),
  case_key text NOT NULL,
  text text NOT NULL,
  label text NOT NULL,
  previous_text text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Where a sample came from a decision, erasing the recording removes it.
  recording_id uuid REFERENCES recordings(id) ON DELETE CASCADE,
  UNIQUE (dataset_version_id, case_key)
);
CREATE INDEX dataset_samples_split ON dataset_samples (dataset_version_id, split);

CREATE TABLE eval_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  dataset_version_id uuid NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,
  target_kind text NOT NULL CHECK (target_kind IN ('local', 'prompt_set')),
  prompt_set_version_id uuid REFERENCES prompt_set_versions(id),
  target_description text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  progress real NOT NULL DEFAULT 0,
  metrics jsonb,
  error text,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE eval_results (
  run_id uuid NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
  case_key text NOT NULL,
  expected text NOT NULL,
  predicted text,
  confidence real,
  error text,
  latency_ms integer,
  input_tokens integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  cost_usd numeric(12, 6) NOT NULL DEFAULT 0,
  cached boolean NOT NULL DEFAULT false,
  PRIMARY KEY (run_id, case_key)
);

-- LLM outputs keyed by (prompt-set version, model, parameters, input hash): a re-run costs nothing.
CREATE TABLE llm_cache (
  key text PRIMARY KEY,
  output text NOT NULL,
  input_tokens integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Embeddings of any dimension; the dimension belongs to the embedder. HNSW indexes are per
-- dimension (partial expression indexes, created by the application for each dimension in use).
CREATE TABLE embeddings (
  id bigserial PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  source_type text NOT NULL CHECK (source_type IN ('segment', 'sample', 'talk_track', 'example')),
  source_key text NOT NULL,
  recording_id uuid REFERENCES recordings(id) ON DELETE CASCADE,
  embedder text NOT NULL,
  dimensions integer NOT NULL,
  content_hash text NOT NULL,
  text text NOT NULL,
  label text,
  customer_stage text,
  approved boolean NOT NULL DEFAULT false,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  embedding vector NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, source_type, source_key, embedder)
);
CREATE INDEX embeddings_hnsw_384 ON embeddings USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE dimensions = 384;

-- The truth about work. Redis carries a job; this row says whether it still has to be done.
CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  queue text NOT NULL,
  payload jsonb NOT NULL,
  -- One live job per piece of work: enqueueing the same key again returns the existing job.
  dedupe_key text,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'active', 'completed', 'failed', 'cancelled')),
  progress real NOT NULL DEFAULT 0,
  stage text,
  attempts integer NOT NULL DEFAULT 0,
  error text,
  workspace_id uuid REFERENCES workspaces(id) ON DELETE CASCADE,
  owner_id uuid REFERENCES users(id) ON DELETE SET NULL,
  team_path text,
  subject_type text,
  subject_id uuid,
  enqueued_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE UNIQUE INDEX jobs_live_dedupe ON jobs (dedupe_key) WHERE state IN ('queued', 'active');
CREATE INDEX jobs_unfinished ON jobs (updated_at) WHERE state IN ('queued', 'active');
CREATE INDEX jobs_subject ON jobs (subject_type, subject_id);
