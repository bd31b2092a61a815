-- The shop's installation: made once, at the first start on an empty database. Idempotency
-- keys sent to Stripe carry its id, so two databases on one Stripe account (staging and
-- production, a copy restored elsewhere) never send the same key for different requests.
CREATE TABLE installation (
    singleton  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    id         UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

INSERT INTO installation (id) VALUES (gen_random_uuid());

-- Which idempotency key creates the order's PaymentIntent. It changes only after Stripe answered
-- a create with an error (Stripe keeps that answer under the key for 24 hours), and only once no
-- intent made for the order can be found at Stripe.
ALTER TABLE orders
    ADD COLUMN intent_attempt INTEGER NOT NULL DEFAULT 0 CHECK (intent_attempt >= 0);
