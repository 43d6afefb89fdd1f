-- Version 9: review scoring (review/scoring/).  A department's committee
-- reads each application twice or more, scores it against the department's
-- required-item list (the rubric), and the office takes one 書審成績 per
-- applicant.  Everything here is keyed by department and application
-- number, never by application row id: a re-ingest replaces the row, and
-- the scores must outlive it.  Reviewers are named by account name, as in
-- the audit log (an account can be removed; its scores stay).

-- A department's review plan (schema/review-plan.md), as JSON.
CREATE TABLE review_plans (
    department      TEXT PRIMARY KEY,
    plan            TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL
);

-- 迴避: a reviewer never reads an applicant of a school, or an application,
-- they declared.
CREATE TABLE reviewer_conflicts (
    reviewer        TEXT NOT NULL,
    department      TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('school', 'application')),
    value           TEXT NOT NULL,           -- a school code, or an application number
    declared_at     TEXT NOT NULL,
    PRIMARY KEY (reviewer, department, kind, value)
);

-- Who reads which application; reading 1 and 2 (or more) from `beishen
-- assign`, 3 and later for a 差分 third reading.
CREATE TABLE assignments (
    department      TEXT NOT NULL,
    application_no  TEXT NOT NULL,
    reviewer        TEXT NOT NULL,
    reading         INTEGER NOT NULL,
    assigned_at     TEXT NOT NULL,
    assigned_by     TEXT NOT NULL,
    PRIMARY KEY (department, application_no, reviewer)
);
CREATE INDEX assignments_by_reviewer ON assignments(reviewer, department);

-- One reviewer's score sheet for one application: a draft until submitted,
-- then locked until the office reopens it.  `version` counts saves: a save
-- names the version it started from, and a stale one is refused (HTTP 409).
CREATE TABLE score_sheets (
    department      TEXT NOT NULL,
    application_no  TEXT NOT NULL,
    reviewer        TEXT NOT NULL,
    list_version    INTEGER NOT NULL,        -- the requirement list scored against
    status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    items           TEXT NOT NULL,           -- JSON {code: {level, score, comment}}
    total           REAL,                    -- Σ weight × score / 100, two decimals, when complete
    version         INTEGER NOT NULL,
    content_sha256  TEXT,                    -- the application's content hash when last saved
    updated_at      TEXT NOT NULL,
    submitted_at    TEXT,
    PRIMARY KEY (department, application_no, reviewer)
);

-- Every change of a sheet: who, when, what it was and what it became.
CREATE TABLE score_history (
    id              INTEGER PRIMARY KEY,
    department      TEXT NOT NULL,
    application_no  TEXT NOT NULL,
    reviewer        TEXT NOT NULL,           -- whose sheet
    at              TEXT NOT NULL,
    user            TEXT NOT NULL,           -- who changed it (the reviewer, or the office)
    action          TEXT NOT NULL,           -- save, submit, reopen
    old             TEXT,                    -- the sheet before (JSON), NULL for the first save
    new             TEXT NOT NULL
);
CREATE INDEX score_history_by_application ON score_history(department, application_no);

-- How a 差分 was resolved: by a third reading, or by the readers revising.
CREATE TABLE score_resolutions (
    department      TEXT NOT NULL,
    application_no  TEXT NOT NULL,
    method          TEXT NOT NULL CHECK (method IN ('third_reading', 'revision')),
    note            TEXT,
    decided_by      TEXT NOT NULL,
    decided_at      TEXT NOT NULL,
    PRIMARY KEY (department, application_no)
);
