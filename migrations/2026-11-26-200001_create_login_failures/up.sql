-- Failed sign-ins per email (known account or not, so that the answers tell nothing), shared
-- by every app server: after a few, each further failure makes the next attempt wait longer.
CREATE TABLE login_failures (
    email TEXT PRIMARY KEY,
    failures INT NOT NULL CHECK (failures > 0),
    last_failure_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    locked_until TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_last_failure_at ON login_failures (last_failure_at);
