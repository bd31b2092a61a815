DROP TRIGGER categories_changed ON categories;
DROP INDEX products_search;
DROP INDEX products_category;
ALTER TABLE products DROP COLUMN search, DROP COLUMN category_id;
DROP TABLE categories;
