-- Version 4: per-department pool scores, derived at ingest.
-- Each application's credit-weighted score for every course code, subject,
-- course category and domain it has graded rows in (review/store/index.c writes
-- them inside the application's transaction), so that a distribution is one
-- index range and every distribution of a department is one scan.
CREATE TABLE pool_scores (
    department      TEXT NOT NULL,
    kind            INTEGER NOT NULL,        -- 0 course code, 1 subject, 2 category, 3 domain
    key             TEXT NOT NULL,
    application_id  INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    score           REAL NOT NULL,
    rows            INTEGER NOT NULL,
    -- score before application_id: a pool is read already sorted
    PRIMARY KEY (department, kind, key, score, application_id)
) WITHOUT ROWID;
CREATE INDEX pool_scores_by_application ON pool_scores(application_id);

-- derived: the application's record counts per group, as JSON {group: n}
ALTER TABLE applications ADD COLUMN group_counts TEXT NOT NULL DEFAULT '{}';

INSERT INTO pool_scores
SELECT department, 0, code, application_id,
       CASE WHEN sum(credits) > 0 THEN sum(score * credits) / sum(credits) ELSE avg(score) END, count(*)
  FROM courses WHERE graded GROUP BY application_id, code;
INSERT INTO pool_scores
SELECT department, 1, subject, application_id,
       CASE WHEN sum(credits) > 0 THEN sum(score * credits) / sum(credits) ELSE avg(score) END, count(*)
  FROM courses WHERE graded GROUP BY application_id, subject;
INSERT INTO pool_scores
SELECT department, 2, category, application_id,
       CASE WHEN sum(credits) > 0 THEN sum(score * credits) / sum(credits) ELSE avg(score) END, count(*)
  FROM courses WHERE graded GROUP BY application_id, category;
INSERT INTO pool_scores
SELECT department, 3, domain_code, application_id,
       CASE WHEN sum(credits) > 0 THEN sum(score * credits) / sum(credits) ELSE avg(score) END, count(*)
  FROM courses WHERE graded GROUP BY application_id, domain_code;
UPDATE applications SET group_counts = coalesce((SELECT json_group_object(grp, total) FROM
    (SELECT grp, sum(count) AS total FROM categories WHERE application_id = applications.id GROUP BY grp)), '{}');
