-- Counts a cart's changes. The session cookie carries the revision of the shopper's last change,
-- so a server whose in-memory item count is older reads the cart again (src/cart/count.rs).
ALTER TABLE carts ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
