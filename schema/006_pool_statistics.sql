-- Version 6: the statistics of every pool (n, mean, sd, min, quartiles, max,
-- histogram, as the JSON object `beishen dist` prints without its
-- applications), so that every distribution of a department is one range
-- read.  Any change to a pool's rows in pool_scores marks its row stale
-- (statistics NULL) by trigger, inside the same transaction; the end of each
-- ingest recomputes the stale rows, and a reader that meets a stale row
-- computes that pool from pool_scores.  A reader therefore never sees
-- figures that disagree with the rows.
CREATE TABLE pool_statistics (
    department      TEXT NOT NULL,
    kind            INTEGER NOT NULL,        -- as pool_scores.kind
    key             TEXT NOT NULL,
    statistics      TEXT,                    -- JSON object; NULL = stale
    PRIMARY KEY (department, kind, key)
) WITHOUT ROWID;

INSERT INTO pool_statistics SELECT DISTINCT department, kind, key, NULL FROM pool_scores;

CREATE TRIGGER pool_statistics_stale_on_insert AFTER INSERT ON pool_scores
BEGIN
    INSERT INTO pool_statistics VALUES (new.department, new.kind, new.key, NULL)
        ON CONFLICT DO UPDATE SET statistics = NULL;
END;

CREATE TRIGGER pool_statistics_stale_on_delete AFTER DELETE ON pool_scores
BEGIN
    UPDATE pool_statistics SET statistics = NULL
     WHERE department = old.department AND kind = old.kind AND key = old.key;
END;
