-- A cart has at most one order waiting for its payment, whatever the concurrency: two
-- checkouts of one cart can never both hold stock or both be payable. Checkout also locks the
-- cart row, so concurrent submissions wait and continue the one order instead of failing here.
--
-- Orders placed before this index could have duplicates: all but the newest open order of a
-- cart are detached from it (they still expire and release their stock as before).
UPDATE orders SET cart_id = NULL
WHERE id IN (
    SELECT id FROM (
        SELECT id, row_number() OVER (PARTITION BY cart_id ORDER BY created_at DESC, id) AS n
        FROM orders
        WHERE cart_id IS NOT NULL AND status IN ('pending', 'requires_action', 'failed')
    ) ranked
    WHERE n > 1
);

CREATE UNIQUE INDEX orders_one_open_per_cart ON orders (cart_id)
    WHERE status IN ('pending', 'requires_action', 'failed');
