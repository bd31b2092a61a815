DROP TRIGGER products_added_or_removed ON products;
DROP TRIGGER products_shown_changed ON products;
DROP FUNCTION notify_catalog_changed();
