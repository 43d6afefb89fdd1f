-- 012: ingest speed.  Since version 4 a department's pools by subject,
-- category and domain are read from pool_scores (derived per application
-- at ingest, review/store/index.c), never from the course rows; the three
-- partial indexes below only cost every course insert a b-tree update.
-- The two course indexes that queries do use stay: courses_pool_by_code
-- (one term of a course code) and courses_pool_by_term (one subject in
-- one grade and semester), besides courses_by_application.
DROP INDEX courses_pool_by_subject;
DROP INDEX courses_pool_by_category;
DROP INDEX courses_pool_by_domain;
