DELETE FROM outbox WHERE kind IN ('club_trial_ending', 'club_payment_failed');
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('order_confirmation',
    'payment_failed', 'refund', 'password_reset', 'order_lookup'));
DROP TABLE club_events;
DROP TABLE club_invoices;
DROP TABLE club_subscriptions;
