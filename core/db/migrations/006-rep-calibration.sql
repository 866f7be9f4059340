-- Why: reps calibrate the drafts of their own calls (issue 13). A rep's decision is kept apart from
-- a trainer's, so trainers can review what reps corrected and the capability map can count rep and
-- trainer calibration separately; an action item the rep adds is a draft item that no engine made.

-- Who decided, by role at the time: 'rep' for the recording's own rep, 'trainer' for everyone else
-- who calibrates (trainers and admins). Existing decisions were all made in the trainer sandbox.
ALTER TABLE decisions ADD COLUMN decided_as text NOT NULL DEFAULT 'trainer' CHECK (decided_as IN ('rep', 'trainer'));

-- The role behind an item's standing decision (null while undecided). A trainer's review of a rep's
-- correction replaces it; items standing on a rep's decision stay out of the training pool until then.
ALTER TABLE draft_items ADD COLUMN decided_as text CHECK (decided_as IN ('rep', 'trainer'));
UPDATE draft_items SET decided_as = 'trainer' WHERE status <> 'pending';
CREATE INDEX draft_items_rep_corrected ON draft_items (recording_id) WHERE decided_as = 'rep';

-- Where a draft item came from: the drafting engine, or a rep who added what the engine missed.
ALTER TABLE draft_items ADD COLUMN origin text NOT NULL DEFAULT 'engine' CHECK (origin IN ('engine', 'rep'));

-- Items whose standing decision is a rep's, and the rep share of the timed decisions.
ALTER TABLE capability_rollup ADD COLUMN rep_decided_items integer NOT NULL DEFAULT 0;
ALTER TABLE capability_rollup ADD COLUMN rep_intervened_items integer NOT NULL DEFAULT 0;
ALTER TABLE capability_rollup ADD COLUMN rep_timed_decisions integer NOT NULL DEFAULT 0;
ALTER TABLE capability_rollup ADD COLUMN rep_response_ms_sum bigint NOT NULL DEFAULT 0;
ALTER TABLE capability_rollup_monthly ADD COLUMN rep_decided_items integer NOT NULL DEFAULT 0;
ALTER TABLE capability_rollup_monthly ADD COLUMN rep_intervened_items integer NOT NULL DEFAULT 0;
ALTER TABLE capability_rollup_monthly ADD COLUMN rep_timed_decisions integer NOT NULL DEFAULT 0;
ALTER TABLE capability_rollup_monthly ADD COLUMN rep_response_ms_sum bigint NOT NULL DEFAULT 0;
