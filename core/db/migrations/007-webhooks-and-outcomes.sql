-- Why: calls leave Calibrate and customer outcomes come back (issue 13). Outbound webhooks: per
-- workspace subscriptions (URL, events, payload format, an encrypted signing secret), the events
-- they were sent (an outbox written in the same transaction as the change), one delivery per
-- subscription × event (retried as jobs) and every HTTP attempt of it (the delivery log).
-- Inbound outcomes: customer events (stage changed, won/lost, replied, meeting booked) posted by a
-- CRM or imported from CSV, attached to the calls of the customer reference they name; erasing a
-- call removes its links, and an outcome no call holds any more goes with it.

CREATE TABLE webhook_subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  url text NOT NULL,
  events text[] NOT NULL,
  format text NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack', 'feishu', 'dingtalk')),
  -- AES-256-GCM under the installation's secrets key (core/auth/secret-box.ts); never returned after creation.
  secret_ciphertext text,
  enabled boolean NOT NULL DEFAULT true,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_workspace ON webhook_subscriptions (workspace_id);

CREATE TABLE webhook_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  type text NOT NULL,
  -- Events carry call content (action items, decisions): erasing the call erases them.
  recording_id uuid REFERENCES recordings(id) ON DELETE CASCADE,
  payload jsonb NOT NULL,
  -- The same change emitted twice (a retried job) is one event.
  dedupe_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, dedupe_key)
);
CREATE INDEX webhook_events_recording ON webhook_events (recording_id) WHERE recording_id IS NOT NULL;

CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_status integer,
  last_error text,
  -- A resend is a new delivery of the same event.
  resend_of uuid REFERENCES webhook_deliveries(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at DESC);

CREATE TABLE webhook_attempts (
  id bigserial PRIMARY KEY,
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  status_code integer,
  latency_ms integer NOT NULL,
  error text,
  response_excerpt text,
  attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);

-- One inbound signing secret per workspace (encrypted like the outbound ones).
CREATE TABLE outcome_inbound_secrets (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  secret_ciphertext text NOT NULL,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outcome_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  customer_reference text NOT NULL,
  type text NOT NULL CHECK (type IN ('stage_changed', 'deal_won', 'deal_lost', 'customer_replied', 'meeting_booked')),
  -- stage_changed: the stage the customer moved to.
  stage text,
  -- deal_won / deal_lost.
  amount numeric(16, 2),
  currency text,
  -- customer_replied: the reply (or an excerpt) and/or keywords.
  text text,
  keywords text[] NOT NULL DEFAULT '{}',
  occurred_at timestamptz NOT NULL,
  source text NOT NULL CHECK (source IN ('webhook', 'csv')),
  -- The sender's id for the event: re-sending it does not store it twice.
  external_id text,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, source, external_id)
);
CREATE INDEX outcome_events_reference ON outcome_events (workspace_id, lower(customer_reference));

CREATE TABLE outcome_event_calls (
  outcome_event_id uuid NOT NULL REFERENCES outcome_events(id) ON DELETE CASCADE,
  recording_id uuid NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  PRIMARY KEY (outcome_event_id, recording_id)
);
CREATE INDEX outcome_event_calls_recording ON outcome_event_calls (recording_id);

CREATE INDEX recordings_customer_reference ON recordings (workspace_id, lower(customer_reference)) WHERE customer_reference IS NOT NULL;
