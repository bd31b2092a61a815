-- An order paid on Stripe's hosted Checkout page names its Checkout Session; the session's
-- PaymentIntent becomes the order's payment_intent_id once Stripe makes it. The shop never
-- makes an intent of its own for such an order, so one order is paid through one of them.
ALTER TABLE orders ADD COLUMN checkout_session_id TEXT UNIQUE;
