-- Version 2: departments' required-item lists (校系參採項目), versioned.
-- The document is stored as loaded (our own format, schema/requirements.md);
-- packets and comparison sheets use the newest version of a department.
CREATE TABLE requirement_lists (
    id              INTEGER PRIMARY KEY,
    department      TEXT NOT NULL,
    version         INTEGER NOT NULL,
    loaded_at       TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    document        TEXT NOT NULL,           -- the JSON as loaded
    UNIQUE (department, version)
);
