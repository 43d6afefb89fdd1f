-- beishen store, version 1: every field of the lp-export contract
-- (docs/export-format.md), plus what we derive at ingest so that
-- browsing is index lookups.  Applied by review/store/store.c when
-- PRAGMA user_version is below 1.  Derived columns are marked "derived".

-- One row per package ingested (provenance of every application).
CREATE TABLE packages (
    id              INTEGER PRIMARY KEY,
    manifest_sha256 TEXT NOT NULL UNIQUE,    -- the same package ingested again is the same row
    source_path     TEXT NOT NULL,
    round           TEXT NOT NULL,
    exported_at     TEXT NOT NULL,
    university_code TEXT NOT NULL,
    university_name TEXT NOT NULL,
    ingested_at     TEXT NOT NULL
);

CREATE TABLE departments (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    university_code TEXT NOT NULL,
    university_name TEXT NOT NULL,
    round           TEXT NOT NULL
);

-- An application: one applicant, one department.  `key` is
-- "<department>-<application_no>", the id every command accepts.
CREATE TABLE applications (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    application_no  TEXT NOT NULL,
    department      TEXT NOT NULL REFERENCES departments(code),
    source          TEXT NOT NULL CHECK (source IN ('portfolio', 'self_made_pdf')),
    submitted_at    TEXT NOT NULL,
    content_sha256  TEXT NOT NULL,           -- SHA-256 of the application file
    package_id      INTEGER NOT NULL REFERENCES packages(id),
    exported_at     TEXT NOT NULL,           -- derived: the package's export time
    -- derived summaries, recomputed with the application
    average         REAL,                    -- credit-weighted, counted graded courses
    credits_counted INTEGER NOT NULL DEFAULT 0,
    course_count    INTEGER NOT NULL DEFAULT 0,
    outcome_count   INTEGER NOT NULL DEFAULT 0,
    certified_count INTEGER NOT NULL DEFAULT 0,
    performance_count INTEGER NOT NULL DEFAULT 0,
    upload_count    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX applications_by_number ON applications(application_no);
CREATE INDEX applications_by_department ON applications(department, application_no);

CREATE TABLE students (
    application_id  INTEGER PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    national_id     TEXT NOT NULL,
    gender          TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    school_code     TEXT NOT NULL,
    school_name     TEXT NOT NULL,
    program         TEXT NOT NULL,
    class_name      TEXT NOT NULL,
    seat_no         INTEGER NOT NULL,
    entry_year      INTEGER NOT NULL,
    graduation_year INTEGER NOT NULL,
    status          TEXT NOT NULL
);

CREATE TABLE cadres (
    application_id  INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,        -- order in the export
    unit            TEXT NOT NULL,
    title           TEXT NOT NULL,
    start_date      TEXT NOT NULL,
    end_date        TEXT NOT NULL,
    level           INTEGER NOT NULL,
    PRIMARY KEY (application_id, position)
);

CREATE TABLE courses (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    year            INTEGER NOT NULL,
    semester        INTEGER NOT NULL,
    grade           INTEGER NOT NULL,
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    credits         INTEGER NOT NULL,
    score           REAL,
    passed          INTEGER,                 -- 1, 0 or NULL
    makeup_score    REAL,
    counted         INTEGER NOT NULL,
    record_type     TEXT NOT NULL,
    in_progress     INTEGER NOT NULL,
    cohort_size     INTEGER,
    cohort_rank     INTEGER,
    cohort_histogram TEXT,                   -- "n0,n1,...,n9" or NULL
    remark          TEXT,
    -- derived from the code and name (docs/export-format.md §7)
    department      TEXT NOT NULL,           -- the application's department
    course_type     TEXT NOT NULL,           -- position 17
    domain_code     TEXT NOT NULL,           -- positions 20-21
    subject         TEXT NOT NULL,           -- name without a trailing (…)
    category        TEXT NOT NULL,           -- e.g. 選修-多元選修-社會領域
    graded          INTEGER NOT NULL         -- 1 when the score enters averages and pools
);
CREATE INDEX courses_by_application ON courses(application_id, category);
CREATE INDEX courses_pool_by_code ON courses(department, code, year, semester, score) WHERE graded;
CREATE INDEX courses_pool_by_subject ON courses(department, subject) WHERE graded;
CREATE INDEX courses_pool_by_category ON courses(department, category) WHERE graded;
CREATE INDEX courses_pool_by_domain ON courses(department, domain_code) WHERE graded;

CREATE TABLE course_catalog (
    application_id  INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    code            TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    teacher_source  TEXT NOT NULL,           -- JSON array as exported
    required        INTEGER NOT NULL,
    domain          TEXT NOT NULL,
    cross_domain    TEXT,
    origin          TEXT NOT NULL,
    competencies    TEXT NOT NULL,           -- JSON array as exported
    syllabus        TEXT NOT NULL,
    PRIMARY KEY (application_id, code)
);

CREATE TABLE outcomes (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    export_id       TEXT NOT NULL,
    item            TEXT NOT NULL,
    year            INTEGER NOT NULL,
    semester        INTEGER NOT NULL,
    course_code     TEXT NOT NULL,
    course_name     TEXT NOT NULL,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    certified       INTEGER NOT NULL,
    certified_at    TEXT,
    uploaded_at     TEXT NOT NULL
);
CREATE INDEX outcomes_by_application ON outcomes(application_id, item);

CREATE TABLE performances (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    export_id       TEXT NOT NULL,
    item            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    year            INTEGER NOT NULL,
    semester        INTEGER NOT NULL,
    title           TEXT NOT NULL,
    organizer       TEXT,
    start_date      TEXT,
    end_date        TEXT,
    hours           REAL,
    level           TEXT,
    award           TEXT,
    summary         TEXT NOT NULL,
    uploaded_at     TEXT NOT NULL,
    links           TEXT NOT NULL            -- JSON array of URLs as exported
);
CREATE INDEX performances_by_application ON performances(application_id, item);

CREATE TABLE uploads (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    item            TEXT NOT NULL,
    title           TEXT NOT NULL,
    text            TEXT
);
CREATE INDEX uploads_by_application ON uploads(application_id, item);

-- The content-addressed file store beside the database: <db>.files/<aa>/<sha256>.<ext>
CREATE TABLE files (
    sha256          TEXT PRIMARY KEY,
    media_type      TEXT NOT NULL,
    size            INTEGER NOT NULL
);

-- A file as an application references it: owner is an outcome, a
-- performance or an upload; `name` is the applicant's display name only.
CREATE TABLE attachments (
    application_id  INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    owner_kind      TEXT NOT NULL CHECK (owner_kind IN ('outcome', 'performance', 'upload')),
    owner_id        INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    sha256          TEXT NOT NULL REFERENCES files(sha256),
    name            TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    size            INTEGER NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, position)
);
CREATE INDEX attachments_by_application ON attachments(application_id);
CREATE INDEX attachments_by_file ON attachments(sha256);

-- derived: the categories of each application, in the documented order,
-- with their record counts (review/store/index.c computes them at ingest).
CREATE TABLE categories (
    application_id  INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    name            TEXT NOT NULL,
    grp             TEXT NOT NULL,
    item            TEXT,                    -- item letter, NULL for courses and 基本資料
    count           INTEGER NOT NULL,
    PRIMARY KEY (application_id, position)
);
CREATE INDEX categories_by_name ON categories(name, application_id);
