-- Why: model connectors (issue 12). Admins bind OpenAI-compatible endpoints in the UI instead of
-- one environment variable: base URL, an API key stored encrypted (AES-256-GCM, never returned),
-- models, limits and prices. Every change is audited by field name (never by value). Leases let
-- every worker process share one connector's concurrency limit through the database (embedded
-- transport); the BullMQ path keeps the same leases in Redis.

CREATE TABLE connectors (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind text NOT NULL DEFAULT 'openai-compatible' CHECK (kind IN ('openai-compatible')),
  base_url text NOT NULL,
  purposes text[] NOT NULL CHECK (cardinality(purposes) >= 1 AND purposes <@ ARRAY['chat', 'embeddings', 'transcription']),
  models text[] NOT NULL DEFAULT '{}',
  default_model text NOT NULL,
  timeout_ms integer NOT NULL CHECK (timeout_ms BETWEEN 1000 AND 600000),
  max_concurrency integer NOT NULL CHECK (max_concurrency BETWEEN 1 AND 256),
  price_input_per_mtok_usd numeric NOT NULL DEFAULT 0 CHECK (price_input_per_mtok_usd >= 0),
  price_output_per_mtok_usd numeric NOT NULL DEFAULT 0 CHECK (price_output_per_mtok_usd >= 0),
  allow_unredacted boolean NOT NULL DEFAULT false,
  enabled boolean NOT NULL DEFAULT true,
  -- AES-256-GCM under the installation's secrets key (core/auth/secret-box.ts); null: no key needed (Ollama).
  api_key_sealed text,
  -- `sk-…last4`: all anyone ever sees of the key.
  api_key_hint text,
  -- The environment variable a bootstrap connector comes from (OPENAI_BASE_URL, …); null: added by an admin.
  bootstrap_source text,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name)
);
CREATE UNIQUE INDEX connectors_bootstrap ON connectors (workspace_id, bootstrap_source) WHERE bootstrap_source IS NOT NULL;

CREATE TABLE connector_audit (
  id bigserial PRIMARY KEY,
  connector_id uuid NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
  -- Null: Calibrate itself (the bootstrap from the environment at start).
  actor_id uuid REFERENCES users(id) ON DELETE SET NULL,
  at timestamptz NOT NULL DEFAULT now(),
  action text NOT NULL CHECK (action IN ('created', 'updated', 'disabled', 'enabled', 'tested')),
  -- Names of the fields that changed (`apiKey` when the key was replaced), never their values.
  fields text[] NOT NULL DEFAULT '{}',
  -- For `tested`: ok and latency (and the error text, which never contains the key).
  detail jsonb
);
CREATE INDEX connector_audit_connector ON connector_audit (connector_id, at DESC);

-- A connector's concurrency as slots: row (connector, slot) is held while `expires_at` is ahead.
-- A holder renews its lease while it lives; one whose holder died expires and the slot is taken
-- again. One statement claims a free slot (INSERT … ON CONFLICT … WHERE expired), so two takers
-- can never hold one slot, without a lock or a transaction round trip (core/connectors/limiter.ts).
CREATE TABLE connector_leases (
  connector_id text NOT NULL,
  slot integer NOT NULL CHECK (slot >= 0),
  lease_id uuid NOT NULL,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (connector_id, slot)
);
CREATE INDEX connector_leases_lease ON connector_leases (lease_id);
