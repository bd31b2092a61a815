-- A product's options (a size, a colour), each with its own stock and, optionally, its own
-- price (NULL: the product's). A product without variants sells its own `products.stock`, as
-- before; a product with variants sells only them, and its own stock stays 0.
CREATE TABLE product_variants (
    id          BIGSERIAL PRIMARY KEY,
    product_id  BIGINT NOT NULL REFERENCES products (id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60 AND name = btrim(name)),
    price_minor BIGINT CHECK (price_minor > 0),
    stock       INTEGER NOT NULL CHECK (stock >= 0),
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (product_id, name)
);

-- The catalog pages show variants too: the same notification as for products (stock counts
-- only up to 100, as there).
CREATE TRIGGER product_variants_shown_changed
    AFTER UPDATE ON product_variants
    FOR EACH ROW
    WHEN (
        to_jsonb(OLD) - 'stock' IS DISTINCT FROM to_jsonb(NEW) - 'stock'
        OR least(OLD.stock, 100) IS DISTINCT FROM least(NEW.stock, 100)
    )
    EXECUTE FUNCTION notify_catalog_changed();

CREATE TRIGGER product_variants_added_or_removed
    AFTER INSERT OR DELETE OR TRUNCATE ON product_variants
    FOR EACH STATEMENT
    EXECUTE FUNCTION notify_catalog_changed();

-- A cart line is a product, or one of its variants: two sizes of a shirt are two lines.
ALTER TABLE cart_items DROP CONSTRAINT cart_items_pkey;
ALTER TABLE cart_items ADD COLUMN id BIGSERIAL PRIMARY KEY;
ALTER TABLE cart_items ADD COLUMN variant_id BIGINT REFERENCES product_variants (id);
ALTER TABLE cart_items
    ADD CONSTRAINT cart_items_line UNIQUE NULLS NOT DISTINCT (cart_id, product_id, variant_id);

-- An order line names the variant it sold; `product_name` is the line's name as sold
-- ("Merino jumper — M").
ALTER TABLE order_items ADD COLUMN variant_id BIGINT REFERENCES product_variants (id);
ALTER TABLE order_items ADD COLUMN variant_name TEXT;

-- A refund's units to put back are now per order item ({"<order item id>": units}), since one
-- order may hold two variants of a product.
UPDATE refund_requests r
SET restock_quantities = (
    SELECT COALESCE(jsonb_object_agg(i.id::text, kv.value), '{}'::jsonb)
    FROM jsonb_each(r.restock_quantities) kv
    JOIN order_items i ON i.order_id = r.order_id AND i.product_id::text = kv.key
);
