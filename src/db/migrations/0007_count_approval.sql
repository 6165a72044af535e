-- Per-line approval of a count (issue 7): a line whose count differs from the expected
-- quantity is posted only once approved. A new scan or typed quantity clears it again.
ALTER TABLE count_lines ADD COLUMN approved INTEGER NOT NULL DEFAULT 0;
