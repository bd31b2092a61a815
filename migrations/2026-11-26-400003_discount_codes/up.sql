-- Discount codes (issue 15), which the owner makes (src/discounts/db.rs writes them). A code
-- takes a percentage or a fixed amount off the items, from an optional minimum of the items'
-- sum, until an optional expiry, at most `usage_limit` times. `times_used` counts the orders
-- holding the code: it goes up in the transaction that places an order (a conditional UPDATE,
-- so concurrent checkouts queue on the row and never pass the limit; the CHECK is the
-- backstop) and down once when that order is cancelled unpaid.
CREATE TABLE discount_codes (
    id               BIGSERIAL PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9-]{3,32}$'),
    percent_off      INTEGER CHECK (percent_off BETWEEN 1 AND 100),
    amount_off_minor BIGINT CHECK (amount_off_minor > 0),
    currency         TEXT CHECK (currency ~ '^[a-z]{3}$'),
    min_items_minor  BIGINT CHECK (min_items_minor >= 0),
    expires_at       TIMESTAMPTZ,
    usage_limit      INTEGER CHECK (usage_limit > 0),
    times_used       INTEGER NOT NULL DEFAULT 0 CHECK (times_used >= 0),
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT discount_codes_one_kind CHECK (
        (percent_off IS NULL) <> (amount_off_minor IS NULL)
        AND (amount_off_minor IS NULL) = (currency IS NULL)
    ),
    CONSTRAINT discount_codes_within_limit CHECK (usage_limit IS NULL OR times_used <= usage_limit)
);

-- The code an order holds and what it took off the items (part of total_minor).
ALTER TABLE orders
    ADD COLUMN discount_code TEXT,
    ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0 CHECK (discount_minor >= 0);
