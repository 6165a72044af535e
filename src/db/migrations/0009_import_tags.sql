-- Raf schema v9: an import may set a product's tags, journaled as `tags_set` (`before`:
-- the previous tag names, JSON) so undo puts them back. SQLite cannot alter a CHECK
-- constraint: the journal table is rebuilt with the new kind allowed. No table refers
-- to it, so dropping the old one loses nothing.

CREATE TABLE import_changes_v8 (
    batch_id    INTEGER NOT NULL REFERENCES import_batches(id),
    seq         INTEGER NOT NULL,
    row_no      INTEGER NOT NULL,
    change      TEXT NOT NULL CHECK (change IN
                  ('product_created', 'variant_created', 'product_updated', 'variant_updated', 'price_set', 'movement', 'tags_set')),
    product_id  INTEGER NOT NULL REFERENCES products(id),
    variant_id  INTEGER REFERENCES variants(id),
    movement_id INTEGER REFERENCES stock_movements(id),
    before      TEXT,
    PRIMARY KEY (batch_id, seq)
) STRICT, WITHOUT ROWID;

INSERT INTO import_changes_v8 (batch_id, seq, row_no, change, product_id, variant_id, movement_id, before)
    SELECT batch_id, seq, row_no, change, product_id, variant_id, movement_id, before FROM import_changes;
DROP TABLE import_changes;
ALTER TABLE import_changes_v8 RENAME TO import_changes;
