-- Why: the review queue needs leases (two trainers never get the same item at once) and a share of
-- items labelled twice, independently, so agreement between trainers (Cohen's kappa) can be measured.

CREATE TABLE review_leases (
  draft_item_id uuid PRIMARY KEY REFERENCES draft_items(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  leased_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX review_leases_user ON review_leases (user_id);

ALTER TABLE draft_items ADD COLUMN double_label boolean NOT NULL DEFAULT false;
ALTER TABLE draft_items ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX draft_items_review ON draft_items (kind, status, confidence, created_at);

-- The second, independent label of a double-labelled item: it never changes the item's state.
ALTER TABLE decisions ADD COLUMN independent boolean NOT NULL DEFAULT false;
