-- 2: the pages each paper was seen on (the reading history), and the reading list's sort order.
CREATE TABLE page_visits (
    paper_id TEXT NOT NULL,
    page_url TEXT NOT NULL,
    page_kind TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    visits INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (paper_id, page_url)
) WITHOUT ROWID;
CREATE INDEX saved_saved_at ON saved(saved_at);
