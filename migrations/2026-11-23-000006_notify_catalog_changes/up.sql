-- Tells every app server that what the catalog pages show has changed, so that each drops its
-- in-memory copy of the catalog (src/catalog/cache.rs). Stock counts only up to 100, as the
-- pages show it ("Only 3 left", a quantity picker up to 99): a checkout taking one of 500 in
-- stock notifies nobody, and checkouts of well-stocked products never queue on NOTIFY.
CREATE FUNCTION notify_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('catalog_changed', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER products_shown_changed
    AFTER UPDATE ON products
    FOR EACH ROW
    WHEN (
        to_jsonb(OLD) - 'stock' - 'updated_at' IS DISTINCT FROM to_jsonb(NEW) - 'stock' - 'updated_at'
        OR least(OLD.stock, 100) IS DISTINCT FROM least(NEW.stock, 100)
    )
    EXECUTE FUNCTION notify_catalog_changed();

CREATE TRIGGER products_added_or_removed
    AFTER INSERT OR DELETE OR TRUNCATE ON products
    FOR EACH STATEMENT
    EXECUTE FUNCTION notify_catalog_changed();
