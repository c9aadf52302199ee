-- 4: phrase embeddings recur across papers ("large language model" is on every page), so the keyphrase
-- extractor keeps them per model: float32 bytes of a unit vector.
CREATE TABLE phrase_embedding (
    model TEXT NOT NULL,
    phrase TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vec BLOB NOT NULL,
    PRIMARY KEY (model, phrase)
) WITHOUT ROWID;
