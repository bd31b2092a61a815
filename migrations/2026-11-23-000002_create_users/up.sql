CREATE TABLE users (
    id                 BIGSERIAL PRIMARY KEY,
    -- Stored lower-cased, so uniqueness is case-insensitive.
    email              TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND position('@' IN email) > 1),
    password_hash      TEXT NOT NULL,
    is_admin           BOOLEAN NOT NULL DEFAULT FALSE,
    stripe_customer_id TEXT UNIQUE,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
