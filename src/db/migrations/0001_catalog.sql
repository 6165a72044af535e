-- Raf schema v1: catalog, stock ledger, orders.
-- Money and quantities are INTEGER fixed-point with 4 decimal places (see db/fixed.rs).
-- Timestamps are UTC text, RFC 3339 with milliseconds ("2026-11-22T13:20:59.123Z").

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE categories (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    name_key  TEXT NOT NULL,                 -- folded, for lookups by name
    color     TEXT,
    parent_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    active    INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE UNIQUE INDEX categories_name ON categories(name_key, ifnull(parent_id, 0));

CREATE TABLE brands (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    color       TEXT,
    description TEXT
) STRICT;

CREATE TABLE price_groups (
    no   INTEGER PRIMARY KEY CHECK (no BETWEEN 1 AND 10),
    name TEXT NOT NULL
) STRICT;
INSERT INTO price_groups(no, name) VALUES
    (1, 'Perakende'), (2, 'Toptan'), (3, 'Bayi'), (4, 'Fiyat 4'), (5, 'Fiyat 5'),
    (6, 'Fiyat 6'), (7, 'Fiyat 7'), (8, 'Fiyat 8'), (9, 'Fiyat 9'), (10, 'Fiyat 10');

CREATE TABLE products (
    id                INTEGER PRIMARY KEY,
    sku               TEXT NOT NULL UNIQUE,
    sku_key           TEXT NOT NULL,          -- folded SKU, for prefix search
    name              TEXT NOT NULL,
    name_sort         TEXT NOT NULL,          -- Turkish collation key
    subtitle          TEXT,
    description       TEXT,
    barcode           TEXT,
    barcode2          TEXT,
    category_id       INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    brand_id          INTEGER REFERENCES brands(id) ON DELETE SET NULL,
    unit              TEXT NOT NULL DEFAULT 'adet',
    vat_rate          INTEGER NOT NULL DEFAULT 200000,   -- percent, fixed-point (20%)
    desi              INTEGER,
    currency          TEXT NOT NULL DEFAULT 'TRY',
    active            INTEGER NOT NULL DEFAULT 1,
    kind              TEXT NOT NULL DEFAULT 'good' CHECK (kind IN ('good', 'service')),
    min_stock         INTEGER,
    purchase_price    INTEGER,
    purchase_currency TEXT,
    image_urls        TEXT NOT NULL DEFAULT '[]',        -- JSON array of URLs
    on_hand           INTEGER NOT NULL DEFAULT 0,        -- cache: sum of this product's movements
    is_low            INTEGER GENERATED ALWAYS AS (min_stock IS NOT NULL AND on_hand <= min_stock) VIRTUAL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    deleted_at        TEXT
) STRICT;
CREATE INDEX products_sku_key ON products(sku_key);
CREATE INDEX products_barcode ON products(barcode) WHERE barcode IS NOT NULL;
CREATE INDEX products_barcode2 ON products(barcode2) WHERE barcode2 IS NOT NULL;
CREATE INDEX products_name ON products(deleted_at, name_sort, id);
CREATE INDEX products_category ON products(category_id, name_sort, id);
CREATE INDEX products_brand ON products(brand_id, name_sort, id);
CREATE INDEX products_low ON products(is_low, name_sort, id);
CREATE INDEX products_updated ON products(updated_at, id);
CREATE INDEX products_on_hand ON products(on_hand, id);

-- Folded name, subtitle, SKUs and barcodes of a product and its variants; rowid = products.id.
CREATE VIRTUAL TABLE product_search USING fts5(
    text, content='', contentless_delete=1, tokenize='unicode61', prefix='2 3'
);

CREATE TABLE product_tags (
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (product_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX product_tags_tag ON product_tags(tag_id, product_id);

CREATE TABLE option_groups (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE option_values (
    id       INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES option_groups(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    name_key TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (group_id, name_key)
) STRICT;

CREATE TABLE variants (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    sku        TEXT NOT NULL UNIQUE,
    sku_key    TEXT NOT NULL,
    barcode    TEXT,
    on_hand    INTEGER NOT NULL DEFAULT 0,   -- cache: sum of this variant's movements
    active     INTEGER NOT NULL DEFAULT 1,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX variants_product ON variants(product_id, position);
CREATE INDEX variants_sku_key ON variants(sku_key);
CREATE INDEX variants_barcode ON variants(barcode) WHERE barcode IS NOT NULL;

CREATE TABLE variant_values (
    variant_id INTEGER NOT NULL REFERENCES variants(id) ON DELETE CASCADE,
    group_id   INTEGER NOT NULL REFERENCES option_groups(id),
    value_id   INTEGER NOT NULL REFERENCES option_values(id),
    PRIMARY KEY (variant_id, group_id)
) STRICT, WITHOUT ROWID;

-- Sale and list price per price group, for a product (variant_id NULL) or one of its variants.
CREATE TABLE prices (
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    variant_id INTEGER REFERENCES variants(id) ON DELETE CASCADE,
    group_no   INTEGER NOT NULL REFERENCES price_groups(no),
    sale       INTEGER NOT NULL,
    list       INTEGER
) STRICT;
CREATE UNIQUE INDEX prices_item ON prices(product_id, ifnull(variant_id, 0), group_no);
CREATE INDEX prices_sale ON prices(group_no, sale);

CREATE TABLE orders (
    id                  INTEGER PRIMARY KEY,
    code                TEXT NOT NULL UNIQUE,
    order_type          TEXT,
    marketplace         TEXT,
    status              INTEGER NOT NULL CHECK (status BETWEEN 0 AND 4),
    erp_transfer_status INTEGER,
    order_date          TEXT NOT NULL,
    customer            TEXT NOT NULL DEFAULT '{}',   -- JSON: name, phone, email, tax ids ...
    shipping            TEXT NOT NULL DEFAULT '{}',   -- JSON address
    billing             TEXT NOT NULL DEFAULT '{}',   -- JSON address
    cargo_company       TEXT,
    cargo_type          TEXT,
    cargo_campaign_no   TEXT,
    cargo_tracking_no   TEXT,
    total_price         INTEGER NOT NULL DEFAULT 0,
    commission_total    INTEGER NOT NULL DEFAULT 0,
    currency            TEXT NOT NULL DEFAULT 'TRY',
    note                TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;
CREATE INDEX orders_date ON orders(order_date, id);
CREATE INDEX orders_status ON orders(status, order_date, id);

CREATE TABLE order_lines (
    id                     INTEGER PRIMARY KEY,
    order_id               INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    line_no                INTEGER NOT NULL,
    product_id             INTEGER REFERENCES products(id),
    variant_id             INTEGER REFERENCES variants(id),
    sku                    TEXT NOT NULL,
    variant_sku            TEXT,
    product_name           TEXT NOT NULL,
    variant_name           TEXT,
    quantity               INTEGER NOT NULL,
    unit_price             INTEGER NOT NULL DEFAULT 0,
    total_price            INTEGER NOT NULL DEFAULT 0,
    commission_price       INTEGER NOT NULL DEFAULT 0,
    marketplace_id         TEXT,
    marketplace_product_id TEXT,
    UNIQUE (order_id, line_no)
) STRICT;

-- The stock ledger: append-only. products.on_hand / variants.on_hand are its running sums.
CREATE TABLE stock_movements (
    id            INTEGER PRIMARY KEY,
    product_id    INTEGER NOT NULL REFERENCES products(id),
    variant_id    INTEGER REFERENCES variants(id),
    kind          TEXT NOT NULL CHECK (kind IN
                    ('add', 'sub', 'set', 'count', 'import', 'sale', 'cancel', 'sync', 'undo')),
    delta         INTEGER NOT NULL,
    qty_before    INTEGER NOT NULL,
    qty_after     INTEGER NOT NULL CHECK (qty_after = qty_before + delta),
    reason        TEXT,
    order_line_id INTEGER REFERENCES order_lines(id),
    undoes        INTEGER REFERENCES stock_movements(id),
    created_at    TEXT NOT NULL
) STRICT;
CREATE INDEX movements_item ON stock_movements(product_id, variant_id, id);
CREATE INDEX movements_variant ON stock_movements(variant_id, id) WHERE variant_id IS NOT NULL;
CREATE INDEX movements_created ON stock_movements(created_at, id);
-- An order line takes stock out once and puts it back at most once.
CREATE UNIQUE INDEX movements_order_line ON stock_movements(order_line_id, kind)
    WHERE order_line_id IS NOT NULL;
-- A movement is undone at most once.
CREATE UNIQUE INDEX movements_undoes ON stock_movements(undoes) WHERE undoes IS NOT NULL;
