ALTER TABLE orders DROP COLUMN checkout_session_id;
