UPDATE refund_requests r
SET restock_quantities = (
    SELECT COALESCE(jsonb_object_agg(i.product_id::text, kv.value), '{}'::jsonb)
    FROM jsonb_each(r.restock_quantities) kv
    JOIN order_items i ON i.order_id = r.order_id AND i.id::text = kv.key
);
ALTER TABLE order_items DROP COLUMN variant_name;
ALTER TABLE order_items DROP COLUMN variant_id;
DELETE FROM cart_items WHERE variant_id IS NOT NULL;
ALTER TABLE cart_items DROP CONSTRAINT cart_items_line;
ALTER TABLE cart_items DROP COLUMN variant_id;
ALTER TABLE cart_items DROP COLUMN id;
ALTER TABLE cart_items ADD PRIMARY KEY (cart_id, product_id);
DROP TABLE product_variants;
