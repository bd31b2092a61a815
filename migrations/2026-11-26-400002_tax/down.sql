ALTER TABLE orders
    DROP CONSTRAINT orders_tax_rate_whole,
    DROP COLUMN tax_name,
    DROP COLUMN tax_rate_bp,
    DROP COLUMN shipping_tax_minor,
    DROP COLUMN tax_minor;
ALTER TABLE order_items DROP COLUMN tax_minor;
DROP TABLE tax_rates;
