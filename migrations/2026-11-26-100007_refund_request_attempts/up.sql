-- Which idempotency key sends a refund request: it changes only after Stripe answered the
-- request with an error of its own (kept under the key for 24 hours), and only once no refund
-- made for the request (metadata refund_request) can be found at Stripe.
ALTER TABLE refund_requests
    ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0);
