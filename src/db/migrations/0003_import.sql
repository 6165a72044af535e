-- Raf schema v3: import batches (what each applied import changed, so it can be undone)
-- and the column mappings users chose, reused for files with the same headers.

CREATE TABLE import_batches (
    id         INTEGER PRIMARY KEY,
    file_name  TEXT NOT NULL,
    sheet      TEXT,
    options    TEXT NOT NULL,                 -- JSON: mode, key, stock, mapping
    rows       INTEGER NOT NULL,
    creates    INTEGER NOT NULL,
    updates    INTEGER NOT NULL,
    unchanged  INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    undone_at  TEXT
) STRICT;

-- Every change a batch made, in order; undo walks them backwards. `before` holds the
-- previous values of an update or a price (JSON), NULL where the row created something.
CREATE TABLE import_changes (
    batch_id    INTEGER NOT NULL REFERENCES import_batches(id),
    seq         INTEGER NOT NULL,
    row_no      INTEGER NOT NULL,
    change      TEXT NOT NULL CHECK (change IN
                  ('product_created', 'variant_created', 'product_updated', 'variant_updated', 'price_set', 'movement')),
    product_id  INTEGER NOT NULL REFERENCES products(id),
    variant_id  INTEGER REFERENCES variants(id),
    movement_id INTEGER REFERENCES stock_movements(id),
    before      TEXT,
    PRIMARY KEY (batch_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE import_mappings (
    headers_key TEXT PRIMARY KEY,             -- the folded headers, joined by U+001F
    mapping     TEXT NOT NULL,                -- JSON: one field name (or null) per column
    updated_at  TEXT NOT NULL
) STRICT;
