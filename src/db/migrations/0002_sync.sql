-- Raf schema v2: sync with remote shops (Sopyo, stokdurumu, KolayBi).
-- No secret is ever stored here: API tokens live in the OS keychain.

-- A remote shop account the catalog syncs with. `settings` is JSON (sync::Settings):
-- per-entity directions, the price group map, whether stock is pushed, batch size.
CREATE TABLE sync_connections (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    base_url   TEXT NOT NULL,
    settings   TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
) STRICT;

-- Local id <-> remote id per connection and entity ('product', 'variant', 'order').
-- `base` (JSON) holds the last values both sides agreed on: the base of the three-way
-- merge (stock merges as a delta against it).
CREATE TABLE sync_links (
    connection_id INTEGER NOT NULL REFERENCES sync_connections(id) ON DELETE CASCADE,
    entity        TEXT NOT NULL,
    local_id      INTEGER NOT NULL,
    remote_id     TEXT NOT NULL,
    base          TEXT,
    PRIMARY KEY (connection_id, entity, local_id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX sync_links_remote ON sync_links(connection_id, entity, remote_id);

-- Local changes a connection has to receive, queued in the transaction of the change.
-- One row per item: `pending` = changed since the last push; `sent` (JSON) = the values
-- of a write whose outcome is not known yet (read back before sending again).
CREATE TABLE sync_outbox (
    connection_id INTEGER NOT NULL REFERENCES sync_connections(id) ON DELETE CASCADE,
    entity        TEXT NOT NULL,
    local_id      INTEGER NOT NULL,
    pending       INTEGER NOT NULL DEFAULT 1,
    version       INTEGER NOT NULL DEFAULT 0,         -- bumped by every change
    sent          TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (connection_id, entity, local_id)
) STRICT, WITHOUT ROWID;

-- A field changed on both sides since the last sync: the user picks a side.
CREATE TABLE sync_conflicts (
    id            INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES sync_connections(id) ON DELETE CASCADE,
    entity        TEXT NOT NULL,
    local_id      INTEGER NOT NULL,
    sku           TEXT NOT NULL,
    field         TEXT NOT NULL,
    base_value    TEXT,
    local_value   TEXT,
    remote_value  TEXT,
    created_at    TEXT NOT NULL,
    resolved_at   TEXT,
    resolution    TEXT CHECK (resolution IN ('local', 'remote'))
) STRICT;
CREATE UNIQUE INDEX sync_conflicts_open ON sync_conflicts(connection_id, entity, local_id, field) WHERE resolved_at IS NULL;

-- One row per run: what it did (counts JSON), how it ended, its log (JSON lines, redacted).
CREATE TABLE sync_runs (
    id            INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES sync_connections(id) ON DELETE CASCADE,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    status        TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'partial', 'failed', 'cancelled')),
    dry_run       INTEGER NOT NULL DEFAULT 0,
    counts        TEXT NOT NULL DEFAULT '{}',
    log           TEXT NOT NULL DEFAULT '',
    error         TEXT
) STRICT;
CREATE INDEX sync_runs_connection ON sync_runs(connection_id, id);
