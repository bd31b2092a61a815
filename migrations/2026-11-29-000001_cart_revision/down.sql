ALTER TABLE carts DROP COLUMN revision;
