-- Shipping (issue 15). The owner's shipping methods, priced in the shop's currency; checkout
-- (src/checkout/place.rs) reads them, src/shipping/db.rs writes them. A method is free when the
-- items come to `free_from_minor` or more.
CREATE TABLE shipping_methods (
    id              BIGSERIAL PRIMARY KEY,
    code            TEXT NOT NULL CHECK (code ~ '^[a-z0-9-]{1,40}$'),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    delivery        TEXT NOT NULL DEFAULT '' CHECK (length(delivery) <= 80),
    price_minor     BIGINT NOT NULL CHECK (price_minor >= 0),
    free_from_minor BIGINT CHECK (free_from_minor >= 0),
    currency        TEXT NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    position        INTEGER NOT NULL DEFAULT 0,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (currency, code)
);

-- Where an order goes and how, snapshotted at checkout like its items' names and prices.
-- Orders placed before shipping existed have none. total_minor = the items + shipping_minor.
ALTER TABLE orders
    ADD COLUMN ship_name TEXT,
    ADD COLUMN ship_line1 TEXT,
    ADD COLUMN ship_line2 TEXT,
    ADD COLUMN ship_city TEXT,
    ADD COLUMN ship_postal_code TEXT,
    ADD COLUMN ship_country TEXT CHECK (ship_country ~ '^[A-Z]{2}$'),
    ADD COLUMN shipping_method_code TEXT,
    ADD COLUMN shipping_method_name TEXT,
    ADD COLUMN shipping_minor BIGINT NOT NULL DEFAULT 0 CHECK (shipping_minor >= 0),
    ADD CONSTRAINT orders_address_whole CHECK (
        (ship_name IS NULL) = (ship_line1 IS NULL)
        AND (ship_name IS NULL) = (ship_city IS NULL)
        AND (ship_name IS NULL) = (ship_postal_code IS NULL)
        AND (ship_name IS NULL) = (ship_country IS NULL)
        AND (ship_name IS NULL) = (shipping_method_code IS NULL)
        AND (ship_name IS NULL) = (shipping_method_name IS NULL)
    );
