DROP TABLE disputes;
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN (
    'pending', 'requires_action', 'paid', 'failed',
    'partially_refunded', 'refunded', 'cancelled'));
