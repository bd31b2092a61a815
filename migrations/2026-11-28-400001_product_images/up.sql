-- Several images per product, in the order the product page shows them. The first one is the
-- product's cover: `products.image_path` holds a copy of its path (the catalog listing and
-- the places that show one image read it), kept by src/catalog/db.rs, its one writer.
-- Each image has three sizes: the product page's, the catalog's thumbnail and a small one for
-- cart and order lines (uploads get all three; a shipped SVG is its own thumbnail).
CREATE TABLE product_images (
    id          BIGSERIAL PRIMARY KEY,
    product_id  BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 0),
    path        TEXT NOT NULL,
    thumb_path  TEXT NOT NULL,
    small_path  TEXT NOT NULL,
    -- What the image shows, for screen readers; empty means the product's name.
    alt         TEXT NOT NULL DEFAULT '' CHECK (length(alt) <= 300),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Deferred, so that two images can swap places in one transaction.
    CONSTRAINT product_images_position UNIQUE (product_id, position) DEFERRABLE INITIALLY DEFERRED
);

-- Every product's image so far becomes its first. Uploads made before have a thumbnail beside
-- them (name-thumb.ext) but no small size: the thumbnail stands in for it.
INSERT INTO product_images (product_id, position, path, thumb_path, small_path)
SELECT id, 0, image_path, t.thumb, t.thumb
FROM products,
     LATERAL (SELECT regexp_replace(image_path, '^(/static/uploads/.+)\.([a-z]+)$', '\1-thumb.\2') AS thumb) t;

-- The catalog cache holds the images (src/catalog/cache.rs).
CREATE TRIGGER product_images_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON product_images
    FOR EACH STATEMENT
    EXECUTE FUNCTION notify_catalog_changed();
