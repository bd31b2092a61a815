-- How many units of each order item went back on the shelf: an admin's refund returns what the
-- admin chose, a cancellation what is left. orders.stock_released now means "all of them".
ALTER TABLE order_items ADD COLUMN restocked INTEGER NOT NULL DEFAULT 0;
UPDATE order_items SET restocked = quantity
WHERE order_id IN (SELECT id FROM orders WHERE stock_released);
ALTER TABLE order_items
    ADD CONSTRAINT order_items_restocked_check CHECK (restocked BETWEEN 0 AND quantity);

-- What a refund request asked to return, per product: {"<product id>": units}.
ALTER TABLE refund_requests
    ADD COLUMN restock_quantities JSONB NOT NULL DEFAULT '{}'::jsonb;
