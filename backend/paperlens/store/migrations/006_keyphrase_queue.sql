-- 6: the keyphrase job queue, shared by every server process on the library: a paper queued by two tabs or
-- two gunicorn workers is one row, claimed by one process, so it is computed once. Lower priority first:
-- new rows in page order, rows a reader is looking at moved ahead. A row a process claimed but never
-- finished (it died) is claimed again once its claim is stale.
CREATE TABLE keyphrase_queue (
    cache_key TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    abstract TEXT NOT NULL,
    paper_ids TEXT NOT NULL DEFAULT '[]',
    priority REAL NOT NULL,
    claimed_by TEXT,
    claimed_at REAL,
    error TEXT
);
CREATE INDEX keyphrase_queue_order ON keyphrase_queue(priority);
