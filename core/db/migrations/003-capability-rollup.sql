-- Why: the quarterly capability map must answer in well under a second over millions of decisions,
-- so it reads a pre-aggregated rollup (per workspace × day, and × month, × team × customer stage)
-- that the `rollup` job refreshes, instead of re-deriving every item's latest decision per request.
-- Definitions of every column: core/capability-map/README.md.

CREATE TABLE capability_rollup (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  -- The local calendar day (in the rollup's time zone) on which the draft was made: an item belongs
  -- to the day of its draft, and so do its decisions, however late they come.
  day date NOT NULL,
  -- The recording's own team (not rolled up; the map rolls subtrees up at read time).
  team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  customer_stage text NOT NULL,
  invocations integer NOT NULL DEFAULT 0,
  drafted_items integer NOT NULL DEFAULT 0,
  decided_items integer NOT NULL DEFAULT 0,
  accepted_items integer NOT NULL DEFAULT 0,
  rejected_items integer NOT NULL DEFAULT 0,
  overridden_items integer NOT NULL DEFAULT 0,
  intent_decisions integer NOT NULL DEFAULT 0,
  intent_accepted integer NOT NULL DEFAULT 0,
  -- Response time of every accept/reject/override decision that was not undone: count, sum and a
  -- sparse log-spaced histogram (bucket numbers and their counts, parallel arrays) for percentiles.
  timed_decisions integer NOT NULL DEFAULT 0,
  response_ms_sum bigint NOT NULL DEFAULT 0,
  response_buckets smallint[] NOT NULL DEFAULT '{}',
  response_counts integer[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (workspace_id, day, team_id, customer_stage)
);

-- The same sums per calendar month (`month` = its first day), kept equal to the sum of the month's
-- daily rows by every refresh. A quarter reads 3 monthly rows per team × stage instead of ~91 daily
-- ones; custom ranges read whole months here and the days at their edges from capability_rollup.
CREATE TABLE capability_rollup_monthly (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  month date NOT NULL CHECK (extract(day FROM month) = 1),
  team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  customer_stage text NOT NULL,
  invocations integer NOT NULL DEFAULT 0,
  drafted_items integer NOT NULL DEFAULT 0,
  decided_items integer NOT NULL DEFAULT 0,
  accepted_items integer NOT NULL DEFAULT 0,
  rejected_items integer NOT NULL DEFAULT 0,
  overridden_items integer NOT NULL DEFAULT 0,
  intent_decisions integer NOT NULL DEFAULT 0,
  intent_accepted integer NOT NULL DEFAULT 0,
  timed_decisions integer NOT NULL DEFAULT 0,
  response_ms_sum bigint NOT NULL DEFAULT 0,
  response_buckets smallint[] NOT NULL DEFAULT '{}',
  response_counts integer[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (workspace_id, month, team_id, customer_stage)
);

-- One row per workspace: when and how its rollup was last refreshed. `layout` names the time zone
-- and histogram boundaries the rows were built with; a different layout forces a full rebuild.
CREATE TABLE capability_rollup_state (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  time_zone text NOT NULL,
  layout text NOT NULL,
  refreshed_at timestamptz NOT NULL,
  full_rebuilt_at timestamptz NOT NULL,
  last_mode text NOT NULL CHECK (last_mode IN ('full', 'incremental')),
  last_days integer NOT NULL DEFAULT 0,
  last_duration_ms integer NOT NULL DEFAULT 0
);

-- Incremental refreshes look for drafts made since the last refresh, and undo decisions by target.
CREATE INDEX drafts_created ON drafts (created_at);
CREATE INDEX decisions_undoes ON decisions (undoes_decision_id) WHERE undoes_decision_id IS NOT NULL;
