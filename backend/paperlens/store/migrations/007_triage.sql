-- 7: the reader's triage. Papers dismissed as "not for me" (no foreign key, like saved: an import may bring
-- the dismissal of a paper this library has not seen), muted terms (a word, a phrase or an author; `term_key`
-- is the case-folded form two spellings share, `term` as the reader wrote it first), and the reader's
-- settings, such as the tag that seeds "for you".
CREATE TABLE dismissed (
    paper_id TEXT PRIMARY KEY,
    dismissed_at REAL NOT NULL
);
CREATE INDEX dismissed_dismissed_at ON dismissed(dismissed_at);
CREATE TABLE muted (
    kind TEXT NOT NULL,
    term_key TEXT NOT NULL,
    term TEXT NOT NULL,
    added_at REAL NOT NULL,
    PRIMARY KEY (kind, term_key)
) WITHOUT ROWID;
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
