-- Version 8: a course row's pool is what compares across schools.  Course
-- codes carry the school's code, so the department's applicants with a
-- graded row of the same code and term were nearly always one or two; a
-- row is now pooled with the graded rows of the same subject (the course
-- name without its trailing parenthesis) in the same grade and semester.
-- The per-score counts of those pools replace the per-code counts of
-- version 5; triggers keep them in step with `courses` inside the same
-- transaction, as before.  The course-code pool stays a detail of
-- `beishen dist --course`, read from the rows themselves.
DROP TRIGGER pool_score_counts_add;
DROP TRIGGER pool_score_counts_remove;
DROP TABLE pool_score_counts;

CREATE TABLE pool_term_counts (
    department      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    grade           INTEGER NOT NULL,
    semester        INTEGER NOT NULL,
    score           REAL NOT NULL,
    rows            INTEGER NOT NULL,
    PRIMARY KEY (department, subject, grade, semester, score)
) WITHOUT ROWID;

INSERT INTO pool_term_counts
SELECT department, subject, grade, semester, score, count(*)
  FROM courses WHERE graded GROUP BY department, subject, grade, semester, score;

CREATE TRIGGER pool_term_counts_add AFTER INSERT ON courses WHEN new.graded
BEGIN
    INSERT INTO pool_term_counts VALUES (new.department, new.subject, new.grade, new.semester, new.score, 1)
        ON CONFLICT DO UPDATE SET rows = rows + 1;
END;

CREATE TRIGGER pool_term_counts_remove AFTER DELETE ON courses WHEN old.graded
BEGIN
    UPDATE pool_term_counts SET rows = rows - 1
     WHERE department = old.department AND subject = old.subject AND grade = old.grade
       AND semester = old.semester AND score = old.score;
    DELETE FROM pool_term_counts
     WHERE department = old.department AND subject = old.subject AND grade = old.grade
       AND semester = old.semester AND score = old.score AND rows = 0;
END;

-- The rows of one term pool, for its distribution.
CREATE INDEX courses_pool_by_term ON courses(department, subject, grade, semester, score) WHERE graded;
