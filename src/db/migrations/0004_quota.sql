-- Raf schema v4: the daily request quota of a remote plan (stokdurumu: Free 500 ...).
-- One row per connection: requests used on `day`, the remote's quota day (a date in
-- UTC+3, where its counter resets at midnight). A new day starts at zero.
CREATE TABLE sync_quota (
    connection_id INTEGER PRIMARY KEY REFERENCES sync_connections(id) ON DELETE CASCADE,
    day           TEXT NOT NULL,
    used          INTEGER NOT NULL DEFAULT 0
) STRICT;
