-- Emails the shop owes someone (src/outbox/db.rs writes it). A row is written in the same
-- transaction as the change it announces (an order paid, a refund, a reset asked for), so an
-- email exists exactly when its cause committed; a worker on each app server sends them
-- (src/email/worker.rs), claiming one row at a time with FOR UPDATE SKIP LOCKED and a lease.
CREATE TABLE outbox (
    id           BIGSERIAL PRIMARY KEY,
    -- What the email announces, once: a replayed webhook or a second path to the same change
    -- finds its key taken (e.g. 'order-confirmation:<order id>').
    key          TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN
                     ('order_confirmation', 'payment_failed', 'refund', 'password_reset', 'order_lookup')),
    recipient    TEXT NOT NULL,
    order_id     UUID REFERENCES orders (id),
    -- What the notice says that was true when it was decided (a refund's amounts, a decline's
    -- words); the order's own lines are read when the email is written.
    facts        JSONB NOT NULL DEFAULT '{}',
    -- The email as written: at enqueue for account emails (they carry a one-time link), when
    -- first claimed for order notices. A retry sends the same words under the same Message-ID.
    subject      TEXT,
    text_body    TEXT,
    html_body    TEXT,
    message_id   UUID NOT NULL DEFAULT gen_random_uuid(),
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                     ('pending', 'sending', 'sent', 'failed', 'withdrawn')),
    attempts     INT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    send_after   TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Who is sending it, and until when that worker holds it.
    claimed_by   UUID,
    lease_until  TIMESTAMPTZ,
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at      TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (send_after) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_order_id ON outbox (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX outbox_recent_by_recipient ON outbox (recipient, kind, created_at);
CREATE INDEX outbox_created_at ON outbox (created_at);

-- Every worker wakes when an email becomes due to send, on whichever server it was written;
-- NOTIFY is delivered when the transaction commits, so a worker never sees an uncommitted row.
CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_ready', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER outbox_ready
    AFTER INSERT OR UPDATE OF status, send_after ON outbox
    FOR EACH ROW
    WHEN (NEW.status = 'pending')
    EXECUTE FUNCTION notify_outbox();

-- The emails a shop without SMTP_URL caught instead of sending (src/email/mailbox.rs writes
-- it), shown at /_sandbox/mail. One row per outbox row: catching it and marking it sent is one
-- transaction, so a caught email is never caught twice.
CREATE TABLE mailbox (
    id         BIGSERIAL PRIMARY KEY,
    outbox_id  BIGINT NOT NULL UNIQUE REFERENCES outbox (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    sender     TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL,
    caught_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
