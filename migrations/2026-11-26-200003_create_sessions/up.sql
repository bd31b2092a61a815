-- Server-side sessions, shared by every app server (src/session/store.rs). The browser's
-- cookie holds a random id; only its SHA-256 is stored here, so reading this table does not
-- give anyone a session. Only sessions that hold something (a cart, a sign-in, guest orders)
-- have a row: a visitor who only browses has none.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      BIGINT REFERENCES users (id) ON DELETE CASCADE,
    state        JSONB NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Every app server keeps the sessions it serves in memory and drops one when it changes or is
-- revoked (signed out, password changed): PostgreSQL tells them all. Marking a session as
-- seen (for the idle timeout) tells nobody.
CREATE FUNCTION notify_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('session_changed', OLD.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_changed
    AFTER UPDATE ON sessions
    FOR EACH ROW
    WHEN (
        OLD.state IS DISTINCT FROM NEW.state
        OR OLD.user_id IS DISTINCT FROM NEW.user_id
        OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
    )
    EXECUTE FUNCTION notify_session_changed();

CREATE TRIGGER sessions_deleted
    AFTER DELETE ON sessions
    FOR EACH ROW
    EXECUTE FUNCTION notify_session_changed();

-- Secrets the shop makes once and keeps, such as the session cookie's key when SESSION_KEY is
-- not set, so that a restart (or another server) signs nobody out.
CREATE TABLE app_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
