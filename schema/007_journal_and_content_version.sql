-- Version 7.
-- The workstation appends each audit row to a journal file before it
-- answers, and a background thread moves the journal into audit_log (see
-- review/server/audit.c).  journal_key names a journal line ("<run>-<sequence>"),
-- so that a line imported twice (a crash between the import's commit and
-- the journal's truncation) is stored once.
ALTER TABLE audit_log ADD COLUMN journal_key TEXT;
CREATE UNIQUE INDEX audit_by_journal_key ON audit_log(journal_key) WHERE journal_key IS NOT NULL;

-- A number that changes whenever an application is added, replaced or
-- removed (by trigger, in the same transaction): whoever keeps answers
-- derived from application data (the workstation's per-thread cache of
-- category views) knows they are still current while it is unchanged.
CREATE TABLE content_version (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    version         INTEGER NOT NULL
);
INSERT INTO content_version VALUES (1, 0);
CREATE TRIGGER content_version_on_insert AFTER INSERT ON applications
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER content_version_on_delete AFTER DELETE ON applications
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;
