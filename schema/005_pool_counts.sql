-- Version 5: how many graded rows of a department's pool hold each score,
-- per course code and semester, so a course row's pool percentile reads a
-- few dozen distinct scores instead of every row of the pool.  Triggers keep
-- it in step with `courses` inside the same transaction (cascaded deletes
-- of a replaced application fire them too), so it is never stale.
CREATE TABLE pool_score_counts (
    department      TEXT NOT NULL,
    code            TEXT NOT NULL,
    year            INTEGER NOT NULL,
    semester        INTEGER NOT NULL,
    score           REAL NOT NULL,
    rows            INTEGER NOT NULL,
    PRIMARY KEY (department, code, year, semester, score)
) WITHOUT ROWID;

INSERT INTO pool_score_counts
SELECT department, code, year, semester, score, count(*)
  FROM courses WHERE graded GROUP BY department, code, year, semester, score;

CREATE TRIGGER pool_score_counts_add AFTER INSERT ON courses WHEN new.graded
BEGIN
    INSERT INTO pool_score_counts VALUES (new.department, new.code, new.year, new.semester, new.score, 1)
        ON CONFLICT DO UPDATE SET rows = rows + 1;
END;

CREATE TRIGGER pool_score_counts_remove AFTER DELETE ON courses WHEN old.graded
BEGIN
    UPDATE pool_score_counts SET rows = rows - 1
     WHERE department = old.department AND code = old.code AND year = old.year
       AND semester = old.semester AND score = old.score;
    DELETE FROM pool_score_counts
     WHERE department = old.department AND code = old.code AND year = old.year
       AND semester = old.semester AND score = old.score AND rows = 0;
END;
