-- The membership Checkout Sessions the shop opened (src/club/db.rs writes it). A member who
-- pays and closes the tab before coming back, while every webhook is lost, is still found: the
-- reconciler reads each open session from Stripe until it is complete or expired.
CREATE TABLE club_checkouts (
    session_id    TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- When the reconciler reads it next; NULL once it is complete or expired.
    next_check_at TIMESTAMPTZ DEFAULT now()
);
CREATE INDEX club_checkouts_next_check ON club_checkouts (next_check_at)
    WHERE next_check_at IS NOT NULL;
