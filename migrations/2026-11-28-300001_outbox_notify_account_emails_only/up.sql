-- PostgreSQL commits transactions that NOTIFY one at a time (a lock held through the commit's
-- flush), so a trigger that notified for every email made every payment's transaction (it writes
-- the order confirmation) queue behind the one before. Only the emails a shopper is waiting
-- for with the page open, a one-time link, wake the workers at once; order notices are found
-- by the workers' polling (src/email/worker.rs, every second), which also catches any email
-- whose notification was missed.
DROP TRIGGER outbox_ready ON outbox;

CREATE TRIGGER outbox_ready
    AFTER INSERT OR UPDATE OF status, send_after ON outbox
    FOR EACH ROW
    WHEN (NEW.status = 'pending' AND NEW.kind IN ('password_reset', 'order_lookup'))
    EXECUTE FUNCTION notify_outbox();
