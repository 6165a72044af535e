-- When an import ended (its last write): undo refuses, unless forced, when something the
-- import changed or created was edited after it (its updated_at is later), since putting
-- the values it replaced back would overwrite that edit. NULL for imports before this.
ALTER TABLE import_batches ADD COLUMN finished_at TEXT;
