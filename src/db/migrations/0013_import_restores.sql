-- Raf schema v13: an import row whose key names a product or variant in the trash brings
-- it back (the file says it exists), journaled as `restored` (`before`: when it had been
-- trashed, JSON) so undo puts it back in the trash. SQLite cannot alter a CHECK
-- constraint: the journal table is rebuilt with the new kind allowed, as in 0009.

CREATE TABLE import_changes_v13 (
    batch_id    INTEGER NOT NULL REFERENCES import_batches(id),
    seq         INTEGER NOT NULL,
    row_no      INTEGER NOT NULL,
    change      TEXT NOT NULL CHECK (change IN
                  ('product_created', 'variant_created', 'product_updated', 'variant_updated', 'price_set', 'movement', 'tags_set',
                   'restored')),
    product_id  INTEGER NOT NULL REFERENCES products(id),
    variant_id  INTEGER REFERENCES variants(id),
    movement_id INTEGER REFERENCES stock_movements(id),
    before      TEXT,
    PRIMARY KEY (batch_id, seq)
) STRICT, WITHOUT ROWID;

INSERT INTO import_changes_v13 (batch_id, seq, row_no, change, product_id, variant_id, movement_id, before)
    SELECT batch_id, seq, row_no, change, product_id, variant_id, movement_id, before FROM import_changes;
DROP TABLE import_changes;
ALTER TABLE import_changes_v13 RENAME TO import_changes;
