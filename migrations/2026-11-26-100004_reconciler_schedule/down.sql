DROP INDEX orders_open_reserved;
DROP INDEX orders_next_check;
ALTER TABLE orders DROP COLUMN paid_at, DROP COLUMN checked_at, DROP COLUMN checks,
    DROP COLUMN next_check_at;
