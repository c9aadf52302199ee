-- 1: the papers seen on pages, the keyphrase cache and the saved papers.
CREATE TABLE papers (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    abstract TEXT NOT NULL DEFAULT '',
    authors TEXT NOT NULL DEFAULT '[]',
    author_count INTEGER,
    published TEXT,
    upvotes INTEGER,
    comments INTEGER,
    url TEXT NOT NULL DEFAULT '',
    ai_keywords TEXT NOT NULL DEFAULT '[]',
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    seen_count INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX papers_title_key ON papers(title_key);
CREATE INDEX papers_last_seen ON papers(last_seen);
CREATE TABLE keyphrase_cache (
    cache_key TEXT PRIMARY KEY,
    phrases TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE saved (
    paper_id TEXT PRIMARY KEY,
    saved_at REAL NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    read INTEGER NOT NULL DEFAULT 0
);
