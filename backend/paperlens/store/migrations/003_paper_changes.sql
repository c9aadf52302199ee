-- 3: a log of changes to papers' indexed text (and deletions), so every process's related index can
-- catch up incrementally: new papers are found by rowid, changed or deleted ones here.
CREATE TABLE paper_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    paper_id TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER papers_text_changed AFTER UPDATE OF title, title_key, abstract, ai_keywords ON papers
WHEN old.title IS NOT new.title OR old.title_key IS NOT new.title_key
  OR old.abstract IS NOT new.abstract OR old.ai_keywords IS NOT new.ai_keywords
BEGIN
    INSERT INTO paper_changes (paper_id) VALUES (new.id);
END;
CREATE TRIGGER papers_deleted AFTER DELETE ON papers
BEGIN
    INSERT INTO paper_changes (paper_id, deleted) VALUES (old.id, 1);
END;
