-- Why: a trainer can say an utterance fits none of the workspace's intents ("none of these fits",
-- issue 14 §3). That is its own decision, not a reject: the draft's label was wrong and no other
-- label is right, so the classifier must not learn a label from it and the trainer later sees such
-- utterances together, to create a new intent from them. The item itself ends up 'rejected' with
-- current_content {"intent": null, "noFit": true}.
ALTER TABLE decisions DROP CONSTRAINT decisions_action_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_action_check
  CHECK (action IN ('accept', 'reject', 'override', 'no_fit', 'undo'));
