-- 010: reading.  The secret that orders blind review's pseudonyms (one per
-- database, made here so no read ever has to write it), and reviewers'
-- notes (註記) on applications.

CREATE TABLE blind_secret (
    only INTEGER PRIMARY KEY CHECK (only = 1),
    secret BLOB NOT NULL
);
INSERT INTO blind_secret (only, secret) VALUES (1, randomblob(32));

-- A note is its author's (private) or the department committee's (shared);
-- on the whole application, a category, or one record of it.  Keyed by
-- department and application number like scores, so re-ingest keeps them.
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    department TEXT NOT NULL,
    application_no TEXT NOT NULL,
    author TEXT NOT NULL,
    category TEXT,
    record TEXT,
    text TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX notes_by_application ON notes (department, application_no);
