-- 013: blind review's numbers kept.  Until now 考生 NNN was computed at each
-- read by ranking the department's applications by a keyed hash, so an
-- application added later renumbered the others in the middle of a
-- review.  Now each application's number is stored when it first comes in
-- (at the end of each ingest, review/store/index.c): the applications new
-- to a department take the numbers after the highest, ranked among
-- themselves by the same keyed hash; a number never changes after.  Keyed
-- by department and application number like scores and notes, so
-- re-ingest keeps it; purge removes it.  The applications already here are
-- numbered as they were shown.
CREATE TABLE blind_numbers (
    department      TEXT NOT NULL,
    application_no  TEXT NOT NULL,
    number          INTEGER NOT NULL,
    PRIMARY KEY (department, application_no),
    UNIQUE (department, number)
) WITHOUT ROWID;

INSERT INTO blind_numbers (department, application_no, number)
SELECT department, application_no,
       row_number() OVER (PARTITION BY department
                          ORDER BY hmac_sha256((SELECT secret FROM blind_secret WHERE only = 1),
                                               department || '-' || application_no))
  FROM applications;
