ALTER TABLE orders DROP COLUMN intent_attempt;
DROP TABLE installation;
