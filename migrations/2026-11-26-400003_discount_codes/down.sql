ALTER TABLE orders DROP COLUMN discount_code, DROP COLUMN discount_minor;
DROP TABLE discount_codes;
