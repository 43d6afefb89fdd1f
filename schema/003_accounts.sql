-- Version 3: the workstation's accounts, sessions and audit log
-- (review/server/auth.c, review/server/audit.c).  Nothing here refers to application
-- rows by id: an application replaced by a re-ingest gets a new id, and the
-- audit log must outlive it, so applications are named by their key.

-- An account.  reviewer: sees the departments in user_departments;
-- office: sees every department of its university; admin: manages
-- accounts and reads the audit log, sees no application.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL CHECK (role IN ('reviewer', 'office', 'admin')),
    university      TEXT,                    -- office: the university code it sees
    password_hash   TEXT NOT NULL,           -- crypto_pwhash_str (Argon2id), never the password
    created_at      TEXT NOT NULL
);

CREATE TABLE user_departments (
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    department      TEXT NOT NULL,
    PRIMARY KEY (user_id, department)
);

-- A login session.  Only the SHA-256 of the cookie's token is stored, so a
-- copy of the database does not hand out live sessions.
CREATE TABLE sessions (
    token_sha256    TEXT PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,        -- Unix seconds
    expires_at      INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);

-- Who saw what, when.  `user` is the account name as it was (accounts can
-- be removed; their history stays); `application` is the key
-- "<department>-<application_no>" or NULL for actions on no one application.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,           -- UTC, "YYYY-MM-DDTHH:MM:SS.mmmZ"
    user            TEXT NOT NULL,
    action          TEXT NOT NULL,
    application     TEXT,
    detail          TEXT,
    remote          TEXT
);
CREATE INDEX audit_by_time ON audit_log(at);
CREATE INDEX audit_by_user ON audit_log(user, at);
CREATE INDEX audit_by_application ON audit_log(application, at);

-- Failed logins, for rate limiting by account name and by client address.
CREATE TABLE login_failures (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,        -- Unix seconds
    user            TEXT NOT NULL,
    remote          TEXT NOT NULL
);
CREATE INDEX login_failures_by_user ON login_failures(user, at);
CREATE INDEX login_failures_by_remote ON login_failures(remote, at);
