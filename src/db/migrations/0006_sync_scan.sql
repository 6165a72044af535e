-- Raf schema v6: where a paused catalog scan resumes. A run that meets the daily quota
-- of a remote plan stops its paged product scan at `next_page`; the next run (the next
-- quota day) goes on from there instead of reading the first pages again.
CREATE TABLE sync_scan (
    connection_id INTEGER PRIMARY KEY REFERENCES sync_connections(id) ON DELETE CASCADE,
    next_page     INTEGER NOT NULL
) STRICT;
