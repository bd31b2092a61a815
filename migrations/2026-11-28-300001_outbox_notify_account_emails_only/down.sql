DROP TRIGGER outbox_ready ON outbox;

CREATE TRIGGER outbox_ready
    AFTER INSERT OR UPDATE OF status, send_after ON outbox
    FOR EACH ROW
    WHEN (NEW.status = 'pending')
    EXECUTE FUNCTION notify_outbox();
