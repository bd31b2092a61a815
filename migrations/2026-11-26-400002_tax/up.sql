-- Tax by destination (issue 15). Prices are without tax; checkout adds the rate of the country
-- an order ships to (src/checkout/place.rs), read from this table, which the owner edits
-- (src/tax/db.rs). A country without a row is charged no tax. rate_bp is in basis points:
-- 2000 = 20 %.
CREATE TABLE tax_rates (
    country TEXT PRIMARY KEY CHECK (country ~ '^[A-Z]{2}$'),
    name    TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    rate_bp INTEGER NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000)
);

-- Standard VAT rates of the European countries the shop ships to by default.
INSERT INTO tax_rates (country, name, rate_bp) VALUES
    ('DE', 'VAT', 1900),
    ('FR', 'VAT', 2000),
    ('GB', 'VAT', 2000),
    ('IE', 'VAT', 2300),
    ('NL', 'VAT', 2100);

-- Each line's tax, and the order's: the rate then (name and basis points), the tax on shipping,
-- and tax_minor = the lines' tax + shipping_tax_minor. total_minor = items + shipping_minor +
-- tax_minor.
ALTER TABLE order_items
    ADD COLUMN tax_minor BIGINT NOT NULL DEFAULT 0 CHECK (tax_minor >= 0);
ALTER TABLE orders
    ADD COLUMN tax_name TEXT,
    ADD COLUMN tax_rate_bp INTEGER CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    ADD COLUMN shipping_tax_minor BIGINT NOT NULL DEFAULT 0 CHECK (shipping_tax_minor >= 0),
    ADD COLUMN tax_minor BIGINT NOT NULL DEFAULT 0 CHECK (tax_minor >= shipping_tax_minor),
    ADD CONSTRAINT orders_tax_rate_whole CHECK ((tax_name IS NULL) = (tax_rate_bp IS NULL));
