ALTER TABLE refund_requests DROP COLUMN attempt;
