DROP TABLE mailbox;
DROP TRIGGER outbox_ready ON outbox;
DROP FUNCTION notify_outbox();
DROP TABLE outbox;
