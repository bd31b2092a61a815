-- Storefront Club: a user's membership as Stripe has it (src/club/db.rs writes these tables).
-- Stripe is the source of truth; each row is what the shop last read from Stripe, through a
-- webhook, a page that asked Stripe, or the reconciler.
CREATE TABLE club_subscriptions (
    -- Stripe's id (sub_...).
    id                   TEXT PRIMARY KEY,
    user_id              BIGINT NOT NULL REFERENCES users (id),
    customer_id          TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('incomplete', 'incomplete_expired',
                             'trialing', 'active', 'past_due', 'unpaid', 'canceled', 'paused')),
    plan                 TEXT NOT NULL CHECK (plan IN ('monthly', 'yearly')),
    price_id             TEXT NOT NULL,
    -- The price's amount per interval, for the admin's MRR.
    amount_minor         BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency             TEXT NOT NULL,
    current_period_start TIMESTAMPTZ,
    current_period_end   TIMESTAMPTZ,
    trial_end            TIMESTAMPTZ,
    cancel_at_period_end BOOLEAN NOT NULL DEFAULT false,
    canceled_at          TIMESTAMPTZ,
    ended_at             TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- When the reconciler reads it from Stripe next (NULL once it ended).
    next_check_at        TIMESTAMPTZ DEFAULT now()
);
CREATE INDEX club_subscriptions_user ON club_subscriptions (user_id);
CREATE INDEX club_subscriptions_status ON club_subscriptions (status);
CREATE INDEX club_subscriptions_next_check ON club_subscriptions (next_check_at)
    WHERE next_check_at IS NOT NULL;

-- A subscription's invoices, with the links Stripe gives (NULL until Stripe finalizes one).
CREATE TABLE club_invoices (
    id                 TEXT PRIMARY KEY,
    subscription_id    TEXT NOT NULL REFERENCES club_subscriptions (id),
    user_id            BIGINT NOT NULL REFERENCES users (id),
    number             TEXT,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void',
                           'uncollectible')),
    amount_due_minor   BIGINT NOT NULL,
    amount_paid_minor  BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    hosted_invoice_url TEXT,
    invoice_pdf        TEXT,
    period_start       TIMESTAMPTZ NOT NULL,
    period_end         TIMESTAMPTZ NOT NULL,
    -- Stripe's creation time, which orders the list.
    stripe_created_at  TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX club_invoices_user ON club_invoices (user_id, stripe_created_at DESC);
CREATE INDEX club_invoices_subscription ON club_invoices (subscription_id);

-- Every change the shop recorded of a subscription (the admin's timeline): a status change,
-- a plan change, cancel at period end and resume, an invoice's status, and what was refused.
CREATE TABLE club_events (
    id              BIGSERIAL PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES club_subscriptions (id),
    -- The Stripe event that said it, if a webhook did.
    stripe_event_id TEXT,
    cause           TEXT NOT NULL CHECK (cause IN ('webhook', 'member', 'return_page',
                        'reconciler')),
    from_status     TEXT,
    to_status       TEXT NOT NULL,
    applied         BOOLEAN NOT NULL,
    note            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX club_events_subscription ON club_events (subscription_id, id);

-- The membership's emails.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('order_confirmation',
    'payment_failed', 'refund', 'password_reset', 'order_lookup', 'club_trial_ending',
    'club_payment_failed'));
