/* auth — the workstation's accounts and who may see what: users and their
 * roles and departments, password hashing (libsodium crypto_pwhash_str,
 * Argon2id), login sessions, CSRF tokens, rate limiting of failed logins,
 * and the access decisions (which departments, applications and files a
 * session may see).  Owns tables users, user_departments, sessions and
 * login_failures (schema/003_accounts.sql).
 *
 * Roles: a reviewer sees the departments granted to it; office sees every
 * department of its university; admin manages accounts and sees no
 * application.  Anything a session may not see is reported as not found,
 * exactly as if it did not exist.
 *
 * Every function takes the caller's store (one per thread); none keeps
 * state between calls except the dummy hash that auth_login verifies
 * against for unknown users, built once per process.
 *
 * Ownership: json_t results are new references the caller json_decrefs.
 * Passwords are only hashed and compared; no function stores or prints
 * one. */
#ifndef BEISHEN_AUTH_H
#define BEISHEN_AUTH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "store/store.h"

#define AUTH_NAME_MAX 64          /* account names: [A-Za-z0-9._-], 1..64 */
#define AUTH_PASSWORD_MIN 8
#define AUTH_PASSWORD_MAX 1024    /* bytes */
#define AUTH_CODE_MAX 16          /* department and university codes: [A-Za-z0-9], 1..16 */
#define AUTH_MAX_DEPARTMENTS 256  /* departments one session may see */
#define AUTH_TOKEN_HEX 64         /* session and CSRF tokens: 32 random bytes, hex */

enum auth_role { AUTH_REVIEWER, AUTH_OFFICE, AUTH_ADMIN };

struct auth_policy;                       /* the failed-login limits, below */

/* Initialises libsodium; call once before anything else.  Returns 0 or -1. */
int auth_init(struct error *err);

/* "reviewer", "office", "admin" <-> enum; auth_role_parse returns -1 for
 * anything else. */
const char *auth_role_name(enum auth_role role);
int auth_role_parse(const char *name);

bool auth_valid_user_name(const char *name);
bool auth_valid_code(const char *code);

/* ---- accounts ----------------------------------------------------------- */

struct auth_account {
    const char *name;
    enum auth_role role;
    const char *university;               /* office: required; others: NULL */
    const char *const *departments;       /* reviewer: at least one */
    size_t department_count;
    const char *password;                 /* AUTH_PASSWORD_MIN..MAX bytes */
};

/* Adds an account (fails when the name is taken or the fields do not fit
 * the role).  The password is hashed with Argon2id. */
int auth_user_add(struct store *store, const struct auth_account *account, struct error *err);
/* Sets a new password and ends the account's sessions. */
int auth_user_set_password(struct store *store, const char *name, const char *password,
                           struct error *err);
/* Removes an account and its sessions.  *found tells whether it existed. */
int auth_user_remove(struct store *store, const char *name, bool *found, struct error *err);
/* Ends the lockouts of account `name` before their window is over: its
 * failed logins, from every client, are forgotten (*cleared of them).
 * *found is false, and nothing changes, when there is no such account.
 * The caller records it in the audit log. */
int auth_unlock(struct store *store, const char *name, bool *found, long *cleared, struct error *err);
/* [{name, role, university, departments:[code], created_at, failed_logins,
 * locked_clients, locked_until}] by name.  The last three are the
 * account's failed logins now, under policy's limits (below):
 * failed_logins those of the window from every client; locked_clients
 * how many of the clients that failed for it are refused for it now;
 * locked_until the UTC time ("2026-03-27T01:00:00Z") the last of them is
 * let in again if no failure is added, or null when none is refused.
 * auth_unlock sets all three back to 0 and null. */
json_t *auth_user_list(struct store *store, const struct auth_policy *policy, struct error *err);

/* ---- sessions ------------------------------------------------------------ */

/* What a request knows about its caller once the session is valid. */
struct auth_session {
    sqlite3_int64 user_id;
    char user[AUTH_NAME_MAX + 1];
    enum auth_role role;
    char university[AUTH_CODE_MAX + 1];
    char csrf[AUTH_TOKEN_HEX + 1];
    long long expires_at;                 /* Unix seconds */
    size_t department_count;              /* the departments this session may see */
    char departments[AUTH_MAX_DEPARTMENTS][AUTH_CODE_MAX + 1];
};

/* Failed logins are counted per account name and per client (its address;
 * behind a trusted proxy, the one X-Forwarded-For names: see guard.h) over
 * a window.  An attempt is refused, before any password is checked, when
 * - its client has max_failures_per_client failures, whatever the
 *   accounts (someone trying many names);
 * - its client has max_failures_per_account_client failures for this
 *   account (guessing one password);
 * - the account has max_failures_per_account failures from all clients
 *   together (a guess spread over many addresses) and this client has
 *   failed for it at least once.
 * A client that has not itself failed for an account is never refused
 * for it because of what other clients did: an attack cannot lock a user
 * out of their own account, and a correct password from an unrelated
 * client always gets in.  auth_unlock ends an account's lockouts early. */
struct auth_policy {
    int session_seconds;                  /* a session's lifetime from login */
    int failure_window_seconds;           /* failures count for this long (15 min) */
    int max_failures_per_account_client;  /* 5 */
    int max_failures_per_client;          /* 30 */
    int max_failures_per_account;         /* 50 */
};

void auth_default_policy(struct auth_policy *policy);

enum auth_login_outcome { AUTH_LOGIN_OK, AUTH_LOGIN_DENIED, AUTH_LOGIN_LIMITED };

/* Checks the limits (above) and records the attempt as a failure, in one
 * write transaction (so that concurrent attempts cannot together pass a
 * limit), then checks the password; a right one replaces that row with a
 * session.  On AUTH_LOGIN_OK a new
 * session exists: token (the cookie value, AUTH_TOKEN_HEX + 1 bytes) and
 * *session are filled.  A wrong user or password is AUTH_LOGIN_DENIED (the
 * two cost the same time and are not told apart) and is recorded in
 * login_failures.  Returns -1 only on a database error. */
int auth_login(struct store *store, const struct auth_policy *policy, const char *user,
               const char *password, const char *remote, char *token,
               struct auth_session *session, enum auth_login_outcome *outcome,
               struct error *err);

/* Finds the live session of a cookie token.  *found is false for a missing,
 * malformed, unknown or expired token.  Returns -1 only on a database error. */
int auth_session_lookup(struct store *store, const char *token, struct auth_session *session,
                        bool *found, struct error *err);

/* Ends the session of token (no error when there is none). */
int auth_logout(struct store *store, const char *token, struct error *err);

/* Deletes expired sessions and failed-login rows older than the window. */
int auth_purge(struct store *store, const struct auth_policy *policy, struct error *err);

/* Constant-time comparison of the request's CSRF header with the session's. */
bool auth_csrf_ok(const struct auth_session *session, const char *header_value);

/* ---- access -------------------------------------------------------------- */

bool auth_sees_department(const struct auth_session *session, const char *department);

/* The departments the session sees that have been ingested:
 * [{code, name, university_code, university_name, round, applications}]. */
json_t *auth_departments(struct store *store, const struct auth_session *session,
                         struct error *err);

/* Resolves an application key "<department>-<application_no>" the session
 * may see.  *found is false (nothing else filled) when the key is
 * malformed, unknown, or of a department the session does not see.  The
 * bare number is not accepted: it could tell another department's
 * applications apart.  Returns -1 only on a database failure. */
int auth_resolve_application(struct store *store, const struct auth_session *session,
                             const char *key, sqlite3_int64 *application_id, bool *found,
                             struct error *err);

/* A stored file as one visible application references it. */
struct auth_file {
    char application[2 * AUTH_CODE_MAX + 2];   /* key of the first visible application */
    char media_type[64];
    char name[1024];                           /* the applicant's display name, as given */
    long long size;
};

/* Finds a file by SHA-256 (64 lowercase hex) that some application the
 * session sees references.  *found is false otherwise.  Returns -1 only on
 * a database error. */
int auth_find_file(struct store *store, const struct auth_session *session, const char *sha256,
                   struct auth_file *file, bool *found, struct error *err);

#endif
