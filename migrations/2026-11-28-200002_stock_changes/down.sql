DROP TABLE stock_changes;
