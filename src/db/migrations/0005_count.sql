-- Stock counting sessions (issue 7). Every scan is its own committed write, so a crash
-- loses nothing; posting turns the differences into `count` movements.

CREATE TABLE count_sessions (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    scope      TEXT NOT NULL,          -- JSON of stock::count::Scope
    blind      INTEGER NOT NULL DEFAULT 0,
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'posted', 'undone')),
    created_at TEXT NOT NULL,
    posted_at  TEXT,
    undone_at  TEXT
) STRICT;

-- One line per item and session (a second scan adds to it, never a second line).
-- `expected` is the item's on_hand when the line was started: the count compares with
-- the quantity at scan time, so sales made after the scan survive the post.
CREATE TABLE count_lines (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES count_sessions(id) ON DELETE CASCADE,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    variant_id  INTEGER REFERENCES variants(id),
    counted     INTEGER NOT NULL,
    expected    INTEGER NOT NULL,
    scanned     INTEGER NOT NULL DEFAULT 1,   -- 0: added by the post (not scanned, counted as zero)
    movement_id INTEGER REFERENCES stock_movements(id),
    updated_at  TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX count_lines_item ON count_lines(session_id, product_id, ifnull(variant_id, 0));

-- Barcodes scanned in a session that matched no item, until linked to one.
CREATE TABLE count_unknown (
    session_id INTEGER NOT NULL REFERENCES count_sessions(id) ON DELETE CASCADE,
    barcode    TEXT NOT NULL,
    scans      INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    PRIMARY KEY (session_id, barcode)
) STRICT;
