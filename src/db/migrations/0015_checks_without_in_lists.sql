-- Raf schema v15: the ledger's and the import journal's kind checks are written as `=`
-- comparisons joined by OR, not as `IN (...)` lists. SQLite evaluates a CHECK against an
-- IN list of more than two values by building a temporary b-tree of the list on every
-- insert: that was 60% of the time an import spent writing a stock movement. The allowed
-- values are unchanged. SQLite cannot alter a CHECK constraint: both tables are rebuilt,
-- with their ids, as in 0009 (the migration runs with foreign keys off and checks them
-- before it commits).

CREATE TABLE stock_movements_v15 (
    id            INTEGER PRIMARY KEY,
    product_id    INTEGER NOT NULL REFERENCES products(id),
    variant_id    INTEGER REFERENCES variants(id),
    kind          TEXT NOT NULL CHECK (kind = 'add' OR kind = 'sub' OR kind = 'set' OR kind = 'count' OR kind = 'import'
                                       OR kind = 'sale' OR kind = 'cancel' OR kind = 'sync' OR kind = 'undo'),
    delta         INTEGER NOT NULL,
    qty_before    INTEGER NOT NULL,
    qty_after     INTEGER NOT NULL CHECK (qty_after = qty_before + delta),
    reason        TEXT,
    order_line_id INTEGER REFERENCES order_lines(id),
    undoes        INTEGER REFERENCES stock_movements(id),
    created_at    TEXT NOT NULL
) STRICT;
INSERT INTO stock_movements_v15 (id, product_id, variant_id, kind, delta, qty_before, qty_after, reason, order_line_id, undoes, created_at)
    SELECT id, product_id, variant_id, kind, delta, qty_before, qty_after, reason, order_line_id, undoes, created_at FROM stock_movements;
DROP TABLE stock_movements;
ALTER TABLE stock_movements_v15 RENAME TO stock_movements;
CREATE INDEX movements_item ON stock_movements(product_id, variant_id, id);
CREATE INDEX movements_variant ON stock_movements(variant_id, id) WHERE variant_id IS NOT NULL;
CREATE INDEX movements_created ON stock_movements(created_at, id);
-- An order line takes stock out once and puts it back at most once.
CREATE UNIQUE INDEX movements_order_line ON stock_movements(order_line_id, kind)
    WHERE order_line_id IS NOT NULL;
-- A movement is undone at most once.
CREATE UNIQUE INDEX movements_undoes ON stock_movements(undoes) WHERE undoes IS NOT NULL;

CREATE TABLE import_changes_v15 (
    batch_id    INTEGER NOT NULL REFERENCES import_batches(id),
    seq         INTEGER NOT NULL,
    row_no      INTEGER NOT NULL,
    change      TEXT NOT NULL CHECK (change = 'product_created' OR change = 'variant_created' OR change = 'product_updated'
                                     OR change = 'variant_updated' OR change = 'price_set' OR change = 'movement'
                                     OR change = 'tags_set' OR change = 'restored'),
    product_id  INTEGER NOT NULL REFERENCES products(id),
    variant_id  INTEGER REFERENCES variants(id),
    movement_id INTEGER REFERENCES stock_movements(id),
    before      TEXT,
    PRIMARY KEY (batch_id, seq)
) STRICT, WITHOUT ROWID;
INSERT INTO import_changes_v15 (batch_id, seq, row_no, change, product_id, variant_id, movement_id, before)
    SELECT batch_id, seq, row_no, change, product_id, variant_id, movement_id, before FROM import_changes;
DROP TABLE import_changes;
ALTER TABLE import_changes_v15 RENAME TO import_changes;
