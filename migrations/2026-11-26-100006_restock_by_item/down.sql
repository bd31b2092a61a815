ALTER TABLE refund_requests DROP COLUMN restock_quantities;
ALTER TABLE order_items DROP COLUMN restocked;
