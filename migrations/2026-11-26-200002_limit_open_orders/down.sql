DROP TABLE order_origins;
ALTER TABLE products DROP COLUMN max_per_order;
