-- Every webhook event's payload (a few KB of JSONB) is compressed as it is stored; lz4 costs
-- PostgreSQL less CPU than the default pglz. Only values written from now on use it.
ALTER TABLE stripe_events ALTER COLUMN payload SET COMPRESSION lz4;
