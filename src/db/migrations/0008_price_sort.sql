-- Sort by price and value stock without reading `prices` for every product.
-- `products.price1` is the product's own sale price in price group 1 ("Fiyat"), NULL when
-- it has none. Triggers on `prices` keep it, so every write path (catalog, import, sync,
-- bulk changes, undo) keeps it without knowing it exists.
ALTER TABLE products ADD COLUMN price1 INTEGER;
UPDATE products SET price1 = (SELECT sale FROM prices WHERE product_id = products.id AND ifnull(variant_id, 0) = 0 AND group_no = 1);

CREATE TRIGGER prices_price1_insert AFTER INSERT ON prices WHEN NEW.group_no = 1 AND NEW.variant_id IS NULL
BEGIN
    UPDATE products SET price1 = NEW.sale WHERE id = NEW.product_id AND price1 IS NOT NEW.sale;
END;
CREATE TRIGGER prices_price1_update AFTER UPDATE ON prices
    WHEN (OLD.group_no = 1 AND OLD.variant_id IS NULL) OR (NEW.group_no = 1 AND NEW.variant_id IS NULL)
BEGIN
    UPDATE products SET price1 = (SELECT sale FROM prices WHERE product_id = products.id AND ifnull(variant_id, 0) = 0 AND group_no = 1)
    WHERE id IN (OLD.product_id, NEW.product_id);
END;
CREATE TRIGGER prices_price1_delete AFTER DELETE ON prices WHEN OLD.group_no = 1 AND OLD.variant_id IS NULL
BEGIN
    UPDATE products SET price1 = NULL WHERE id = OLD.product_id;
END;

-- Products without a price come last in both directions: ascending by `price_up`, where
-- they take the largest key, descending by `price_down`, where they take the smallest.
-- Plain (generated) columns, not expressions, because a keyset page's row-value range
-- `(key, id) > (?, ?)` is searched in an index of columns only.
ALTER TABLE products ADD COLUMN price_up INTEGER GENERATED ALWAYS AS (ifnull(price1, 9223372036854775807)) VIRTUAL;
ALTER TABLE products ADD COLUMN price_down INTEGER GENERATED ALWAYS AS (ifnull(price1, -9223372036854775808)) VIRTUAL;
-- The filters' columns ride along, so a page walks the index alone and looks a product up
-- only once it is on the page (a walk that skips 7 of 8 products, as a brand filter
-- does, would otherwise read 8 rows of the table for each one shown). A category filter
-- reads the category's own range, already in price order.
CREATE INDEX products_price_up ON products(price_up, id, deleted_at, active, category_id, brand_id, is_low);
CREATE INDEX products_price_down ON products(price_down, id, deleted_at, active, category_id, brand_id, is_low);
CREATE INDEX products_category_price_up ON products(category_id, price_up, id, deleted_at, active, brand_id, is_low);
CREATE INDEX products_category_price_down ON products(category_id, price_down, id, deleted_at, active, brand_id, is_low);

-- Stock value by category (the dashboard) reads this index alone, in category order.
CREATE INDEX products_stock_value ON products(category_id, on_hand, purchase_price, price1)
    WHERE deleted_at IS NULL AND kind = 'good';
