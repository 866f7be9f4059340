-- Why: the label-efficiency curve (how accuracy grows with labels per intent, random picks versus
-- the review queue's order) is computed by the API as a job and read back by the UI, instead of
-- being a JSON file a person runs a command to make and then opens in the browser. One row per
-- requested curve; the points are written when the job finishes.
CREATE TABLE label_curves (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  dataset_version_id uuid NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  -- sizes (labels per intent), seeds, strategies
  options jsonb NOT NULL,
  -- the dataset as used: name, train and test sizes, intents
  summary jsonb,
  points jsonb,
  error text,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX label_curves_workspace ON label_curves (workspace_id, created_at DESC);
