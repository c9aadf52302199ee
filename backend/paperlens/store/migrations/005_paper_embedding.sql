-- 5: each paper's document embedding (title + abstract), which keyphrase extraction computes anyway;
-- related ranking fuses it with BM25. float32 bytes of a unit vector, per model. A rowid table: its 1.5 KB
-- rows would overflow a WITHOUT ROWID b-tree and make reads ~3x slower.
CREATE TABLE paper_embedding (
    paper_id TEXT NOT NULL,
    model TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vec BLOB NOT NULL,
    PRIMARY KEY (paper_id, model)
);
