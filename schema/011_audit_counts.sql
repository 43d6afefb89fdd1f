-- 011: hostile clients.  Refused logins are audited one row per client
-- address and minute (review/server/audit.c): `count` is how many
-- requests such a row stands for; every other row stands for one.
ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
