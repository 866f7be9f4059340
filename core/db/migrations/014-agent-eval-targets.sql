-- Why: the eval harness runs any stored agent version over a dataset (issue 12), so a run's target
-- can now be an agent version besides the local classifier and a prompt-set version. What exactly
-- ran (agent, version, content hash, engine) is in eval_runs.target, as for the other kinds.
ALTER TABLE eval_runs DROP CONSTRAINT eval_runs_target_kind_check;
ALTER TABLE eval_runs ADD CONSTRAINT eval_runs_target_kind_check
  CHECK (target_kind IN ('local', 'prompt_set', 'agent'));
