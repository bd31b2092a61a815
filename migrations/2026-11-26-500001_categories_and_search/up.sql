-- Browsing: each product belongs to at most one category, and full-text search over a
-- product's name (weighted higher) and description.
CREATE TABLE categories (
    id          BIGSERIAL PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description TEXT NOT NULL DEFAULT '',
    -- The order the shop's navigation lists them in.
    position    INTEGER NOT NULL DEFAULT 0
);

ALTER TABLE products
    ADD COLUMN category_id BIGINT REFERENCES categories (id) ON DELETE SET NULL,
    ADD COLUMN search tsvector NOT NULL GENERATED ALWAYS AS (
        setweight(to_tsvector('english', name), 'A')
        || setweight(to_tsvector('english', description), 'B')
    ) STORED;

CREATE INDEX products_category ON products (category_id) WHERE active;
CREATE INDEX products_search ON products USING GIN (search);

-- The catalog cache holds the categories too (src/catalog/cache.rs).
CREATE TRIGGER categories_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON categories
    FOR EACH STATEMENT
    EXECUTE FUNCTION notify_catalog_changed();
