DROP TABLE app_secrets;
DROP TABLE sessions;
DROP FUNCTION notify_session_changed();
