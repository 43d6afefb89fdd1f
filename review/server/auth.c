/* auth — accounts, password hashing, sessions, CSRF, failed-login limits and
 * access decisions.  See auth.h for the rules. */
#include "server/auth.h"
#include "core/text.h"
#include "core/timestamp.h"
#include "query/query.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- small helpers ------------------------------------------------------ */

int auth_init(struct error *err)
{
    if (sodium_init() < 0)
        return error_set(err, ERROR_INTERNAL, "libsodium could not be initialised");
    return 0;
}

const char *auth_role_name(enum auth_role role)
{
    switch (role) {
    case AUTH_REVIEWER: return "reviewer";
    case AUTH_OFFICE: return "office";
    case AUTH_ADMIN: return "admin";
    }
    return "?";
}

int auth_role_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "reviewer") == 0)
        return AUTH_REVIEWER;
    if (strcmp(name, "office") == 0)
        return AUTH_OFFICE;
    if (strcmp(name, "admin") == 0)
        return AUTH_ADMIN;
    return -1;
}

static bool all_of(const char *text, size_t max, const char *extra)
{
    size_t i = 0;
    for (; text && text[i]; i++) {
        char c = text[i];
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && !(extra && strchr(extra, c)))
            return false;
    }
    return text && i >= 1 && i <= max;
}

bool auth_valid_user_name(const char *name) { return all_of(name, AUTH_NAME_MAX, "._-"); }
bool auth_valid_code(const char *code) { return all_of(code, AUTH_CODE_MAX, NULL); }

static void random_hex(char out[AUTH_TOKEN_HEX + 1])
{
    unsigned char bytes[AUTH_TOKEN_HEX / 2];
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2hex(out, AUTH_TOKEN_HEX + 1, bytes, sizeof bytes);
    sodium_memzero(bytes, sizeof bytes);
}

static bool is_token(const char *text)
{
    /* Same shape as a SHA-256 in hex: 64 lowercase hex digits. */
    return text && text_is_sha256_hex(text);
}

/* Steps a statement that returns no rows and resets it. */
static int step_done(struct store *store, sqlite3_stmt *s, struct error *err, const char *what)
{
    int rc = store_step(store, s, err);
    sqlite3_reset(s);
    return rc < 0 ? error_prefix(err, "%s", what) : 0;
}

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES], struct error *err)
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return error_set(err, ERROR_INTERNAL, "password hashing failed (out of memory)");
    return 0;
}

/* The one password rule, for the CLI and the workstation alike: at least
 * AUTH_PASSWORD_MIN characters (not bytes: 八個中文字 count as eight). */
static int check_password(const char *password, struct error *err)
{
    size_t length = password ? strlen(password) : 0;
    if (!password || !text_is_utf8(password, length))
        return error_set(err, ERROR_INVALID, "the password must be UTF-8 text");
    if (text_characters(password, length) < AUTH_PASSWORD_MIN)
        return error_set(err, ERROR_INVALID, "the password must have at least %d characters", AUTH_PASSWORD_MIN);
    if (length > AUTH_PASSWORD_MAX)
        return error_set(err, ERROR_INVALID, "the password must have at most %d bytes", AUTH_PASSWORD_MAX);
    return 0;
}

/* ---- accounts ------------------------------------------------------------ */

/* A reviewer is granted departments the database has: a mistyped code
 * would grant nothing and say nothing. */
static int department_known(struct store *store, const char *code, struct error *err)
{
    sqlite3_stmt *s = store_statement(store, "SELECT 1 FROM departments WHERE code = ?1", err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_TRANSIENT);
    int row = store_step(store, s, err);
    sqlite3_reset(s);
    if (row == 0)
        return error_set(err, ERROR_INVALID, "no department %s in the database (ingest its applications first)",
                         code);
    return row < 0 ? -1 : 0;
}

int auth_user_add(struct store *store, const struct auth_account *a, struct error *err)
{
    static const char *insert_user =
        "INSERT INTO users (name, role, university, password_hash, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
    static const char *insert_department =
        "INSERT OR IGNORE INTO user_departments (user_id, department) VALUES (?1, ?2)";
    if (!auth_valid_user_name(a->name))
        return error_set(err, ERROR_INVALID, "a user name is 1 to %d letters, digits, '.', '_' or '-'",
                         AUTH_NAME_MAX);
    if (a->role == AUTH_OFFICE && !auth_valid_code(a->university))
        return error_set(err, ERROR_INVALID, "an office account needs --university CODE");
    if (a->role != AUTH_OFFICE && a->university)
        return error_set(err, ERROR_INVALID, "only an office account takes a university");
    if (a->role == AUTH_REVIEWER && a->department_count == 0)
        return error_set(err, ERROR_INVALID, "a reviewer account needs at least one --department CODE");
    if (a->role != AUTH_REVIEWER && a->department_count > 0)
        return error_set(err, ERROR_INVALID, "only a reviewer account takes departments");
    if (a->department_count > AUTH_MAX_DEPARTMENTS)
        return error_set(err, ERROR_INVALID, "at most %d departments", AUTH_MAX_DEPARTMENTS);
    for (size_t i = 0; i < a->department_count; i++)
        if (!auth_valid_code(a->departments[i]))
            return error_set(err, ERROR_INVALID, "'%.64s': a department code is 1 to %d letters or digits",
                             a->departments[i], AUTH_CODE_MAX);
    for (size_t i = 0; i < a->department_count; i++)
        if (department_known(store, a->departments[i], err) != 0)
            return -1;
    if (check_password(a->password, err) != 0)
        return -1;
    char hash[crypto_pwhash_STRBYTES];
    if (hash_password(a->password, hash, err) != 0)
        return -1;
    char now[TIMESTAMP_SIZE];
    timestamp_now(now);
    if (store_begin(store, err) != 0)
        return -1;
    sqlite3_stmt *s = store_statement(store, insert_user, err);
    if (!s)
        goto fail;
    sqlite3_bind_text(s, 1, a->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, auth_role_name(a->role), -1, SQLITE_STATIC);
    if (a->university)
        sqlite3_bind_text(s, 3, a->university, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, now, -1, SQLITE_TRANSIENT);
    if (step_done(store, s, err, "adding the user") != 0) {
        if (err->kind == ERROR_INVALID)   /* the UNIQUE name */
            error_set(err, ERROR_INVALID, "user '%s' exists", a->name);
        goto fail;
    }
    sqlite3_int64 id = sqlite3_last_insert_rowid(store_db(store));
    for (size_t i = 0; i < a->department_count; i++) {
        if (!(s = store_statement(store, insert_department, err)))
            goto fail;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, a->departments[i], -1, SQLITE_TRANSIENT);
        if (step_done(store, s, err, "granting a department") != 0)
            goto fail;
    }
    sodium_memzero(hash, sizeof hash);
    if (store_commit(store, err) == 0)
        return 0;
fail:
    sodium_memzero(hash, sizeof hash);
    store_rollback(store);
    return -1;
}

int auth_user_set_password(struct store *store, const char *name, const char *password,
                           struct error *err)
{
    static const char *update = "UPDATE users SET password_hash = ?2 WHERE name = ?1";
    static const char *end_sessions =
        "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)";
    if (check_password(password, err) != 0)
        return -1;
    char hash[crypto_pwhash_STRBYTES];
    if (hash_password(password, hash, err) != 0)
        return -1;
    if (store_begin(store, err) != 0)
        return -1;
    sqlite3_stmt *s = store_statement(store, update, err);
    if (!s)
        goto fail;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, hash, -1, SQLITE_TRANSIENT);
    if (step_done(store, s, err, "setting the password") != 0)
        goto fail;
    if (sqlite3_changes(store_db(store)) == 0) {
        error_set(err, ERROR_NOT_FOUND, "no user '%s'", name);
        goto fail;
    }
    if (!(s = store_statement(store, end_sessions, err)))
        goto fail;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    if (step_done(store, s, err, "ending sessions") != 0)
        goto fail;
    sodium_memzero(hash, sizeof hash);
    if (store_commit(store, err) == 0)
        return 0;
fail:
    sodium_memzero(hash, sizeof hash);
    store_rollback(store);
    return -1;
}

int auth_user_remove(struct store *store, const char *name, bool *found, struct error *err)
{
    /* Sessions and grants go with the user (ON DELETE CASCADE). */
    static const char *sql = "DELETE FROM users WHERE name = ?1";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    if (step_done(store, s, err, "removing the user") != 0)
        return -1;
    *found = sqlite3_changes(store_db(store)) > 0;
    return 0;
}

int auth_unlock(struct store *store, const char *name, bool *found, long *cleared, struct error *err)
{
    static const char *exists = "SELECT 1 FROM users WHERE name = ?1";
    static const char *forget = "DELETE FROM login_failures WHERE user = ?1";
    *found = false;
    *cleared = 0;
    sqlite3_stmt *s = store_statement(store, exists, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    int row = store_step(store, s, err);
    sqlite3_reset(s);
    if (row <= 0)
        return row < 0 ? error_prefix(err, "finding the user") : 0;
    *found = true;
    if (!(s = store_statement(store, forget, err)))
        return -1;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    if (step_done(store, s, err, "forgetting failed logins") != 0)
        return -1;
    *cleared = sqlite3_changes(store_db(store));
    return 0;
}

/* An account's failed logins now (see auth.h, auth_user_list). */
struct lockout {
    long long failed_logins;      /* of the window, from every client */
    long long locked_clients;     /* clients refused for it that have failed for it */
    long long locked_until;       /* Unix seconds when the last of them is let in; 0: none */
};

static int account_lockout(struct store *store, const struct auth_policy *policy, const char *user,
                           long long now, struct lockout *lockout, struct error *err);

json_t *auth_user_list(struct store *store, const struct auth_policy *policy, struct error *err)
{
    static const char *sql =
        "SELECT name, role, university, created_at,"
        " (SELECT json_group_array(department) FROM (SELECT department FROM user_departments"
        "   WHERE user_id = u.id ORDER BY department)) AS departments"
        " FROM users u ORDER BY name";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    json_t *list = json_array();
    long long now = timestamp_unix_now();
    int row;
    while ((row = store_step(store, s, err)) > 0) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        const char *university = (const char *)sqlite3_column_text(s, 2);
        json_t *departments = json_loads((const char *)sqlite3_column_text(s, 4), 0, NULL);
        struct lockout lockout;
        if (account_lockout(store, policy, name, now, &lockout, err) != 0) {
            sqlite3_reset(s);
            json_decref(departments);
            json_decref(list);
            return NULL;
        }
        char until[TIMESTAMP_SIZE];
        if (lockout.locked_until)
            timestamp_from_unix(lockout.locked_until, until);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s?, s:o, s:s, s:I, s:I, s:s?}",
            "name", name,
            "role", (const char *)sqlite3_column_text(s, 1),
            "university", university,
            "departments", departments ? departments : json_array(),
            "created_at", (const char *)sqlite3_column_text(s, 3),
            "failed_logins", (json_int_t)lockout.failed_logins,
            "locked_clients", (json_int_t)lockout.locked_clients,
            "locked_until", lockout.locked_until ? until : NULL));
    }
    sqlite3_reset(s);
    if (row < 0) {
        json_decref(list);
        return NULL;
    }
    return list;
}

/* ---- sessions ------------------------------------------------------------ */

void auth_default_policy(struct auth_policy *policy)
{
    policy->session_seconds = 8 * 3600;
    policy->failure_window_seconds = 15 * 60;
    policy->max_failures_per_account_client = 5;
    policy->max_failures_per_client = 30;
    policy->max_failures_per_account = 50;
}

/* Unknown users are verified against this hash so that a wrong name costs
 * the same Argon2id time as a wrong password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static int dummy_ready = -1;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    char password[AUTH_TOKEN_HEX + 1];
    random_hex(password);
    struct error ignored;
    dummy_ready = hash_password(password, dummy_hash, &ignored);
}

/* Fills the session's departments from its account. */
static int load_departments(struct store *store, struct auth_session *session, struct error *err)
{
    static const char *granted =
        "SELECT department FROM user_departments WHERE user_id = ?1 ORDER BY department";
    static const char *of_university =
        "SELECT code FROM departments WHERE university_code = ?1 ORDER BY code";
    session->department_count = 0;
    if (session->role == AUTH_ADMIN)
        return 0;
    sqlite3_stmt *s = store_statement(store, session->role == AUTH_REVIEWER ? granted
                                                                            : of_university, err);
    if (!s)
        return -1;
    if (session->role == AUTH_REVIEWER)
        sqlite3_bind_int64(s, 1, session->user_id);
    else
        sqlite3_bind_text(s, 1, session->university, -1, SQLITE_TRANSIENT);
    int row;
    while ((row = store_step(store, s, err)) > 0 &&
           session->department_count < AUTH_MAX_DEPARTMENTS) {
        const char *code = (const char *)sqlite3_column_text(s, 0);
        if (code && auth_valid_code(code))
            snprintf(session->departments[session->department_count++], AUTH_CODE_MAX + 1,
                     "%s", code);
    }
    sqlite3_reset(s);
    return row < 0 ? error_prefix(err, "reading departments") : 0;
}

int auth_session_lookup(struct store *store, const char *token, struct auth_session *session,
                        bool *found, struct error *err)
{
    static const char *sql =
        "SELECT s.user_id, s.csrf_token, s.expires_at, u.name, u.role, coalesce(u.university, '')"
        " FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_sha256 = ?1 AND s.expires_at > ?2";
    *found = false;
    if (!is_token(token))
        return 0;
    char token_hash[65];
    text_sha256_hex(token, AUTH_TOKEN_HEX, token_hash);
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, token_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)timestamp_unix_now());
    int row = store_step(store, s, err);
    if (row > 0) {
        session->user_id = sqlite3_column_int64(s, 0);
        snprintf(session->csrf, sizeof session->csrf, "%s", (const char *)sqlite3_column_text(s, 1));
        session->expires_at = sqlite3_column_int64(s, 2);
        snprintf(session->user, sizeof session->user, "%s", (const char *)sqlite3_column_text(s, 3));
        int role = auth_role_parse((const char *)sqlite3_column_text(s, 4));
        session->role = role < 0 ? AUTH_REVIEWER : (enum auth_role)role;
        snprintf(session->university, sizeof session->university, "%s",
                 (const char *)sqlite3_column_text(s, 5));
    }
    sqlite3_reset(s);
    if (row == 0)
        return 0;
    if (row < 0)
        return error_prefix(err, "reading the session");
    if (load_departments(store, session, err) != 0)
        return -1;
    *found = true;
    return 0;
}

/* The failures of the window that bear on one attempt, each counted only
 * up to the limit it is checked against. */
struct failure_counts {
    int account_client;           /* of this account from this client */
    int client;                   /* from this client, any account */
    int account;                  /* of this account, any client */
};

static int count_failures(struct store *store, const struct auth_policy *policy, const char *user,
                          const char *remote, long long since, struct failure_counts *counts,
                          struct error *err)
{
    static const char *sql =
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM login_failures"
        "          WHERE user = ?1 AND at >= ?3 AND remote = ?2 LIMIT ?4)),"
        "       (SELECT count(*) FROM (SELECT 1 FROM login_failures"
        "          WHERE remote = ?2 AND at >= ?3 LIMIT ?5)),"
        "       (SELECT count(*) FROM (SELECT 1 FROM login_failures"
        "          WHERE user = ?1 AND at >= ?3 LIMIT ?6))";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, remote, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, since);
    sqlite3_bind_int(s, 4, policy->max_failures_per_account_client);
    sqlite3_bind_int(s, 5, policy->max_failures_per_client);
    sqlite3_bind_int(s, 6, policy->max_failures_per_account);
    int row = store_step(store, s, err);
    if (row > 0) {
        counts->account_client = sqlite3_column_int(s, 0);
        counts->client = sqlite3_column_int(s, 1);
        counts->account = sqlite3_column_int(s, 2);
    }
    sqlite3_reset(s);
    return row > 0 ? 0 : error_prefix(err, "counting failed logins");
}

/* The rules of auth.h: a client is refused after its own failures (for
 * the account, or in all), and after the account's failures from every
 * client only when it has failed for that account itself.  A client that
 * has not failed is never refused for what others did. */
static bool over_limits(const struct auth_policy *policy, const struct failure_counts *counts)
{
    return counts->client >= policy->max_failures_per_client ||
           counts->account_client >= policy->max_failures_per_account_client ||
           (counts->account >= policy->max_failures_per_account && counts->account_client > 0);
}

/* The k-th newest failure of the window (k >= 1) of user (NULL: any
 * account) from remote (NULL: any client), in *at; 0 when there are
 * fewer than k. */
static int nth_newest_failure(struct store *store, const char *user, const char *remote,
                              long long since, int k, long long *at, struct error *err)
{
    static const char *of_both =
        "SELECT at FROM login_failures WHERE user = ?1 AND remote = ?2 AND at >= ?3"
        " ORDER BY at DESC LIMIT 1 OFFSET ?4";
    static const char *of_user =
        "SELECT at FROM login_failures WHERE user = ?1 AND at >= ?3 ORDER BY at DESC LIMIT 1 OFFSET ?4";
    static const char *of_remote =
        "SELECT at FROM login_failures WHERE remote = ?2 AND at >= ?3 ORDER BY at DESC LIMIT 1 OFFSET ?4";
    *at = 0;
    sqlite3_stmt *s = store_statement(store, user && remote ? of_both : user ? of_user : of_remote, err);
    if (!s)
        return -1;
    if (user)
        sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
    if (remote)
        sqlite3_bind_text(s, 2, remote, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, since);
    sqlite3_bind_int(s, 4, k - 1);
    int row = store_step(store, s, err);
    if (row > 0)
        *at = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return row < 0 ? error_prefix(err, "reading failed logins") : 0;
}

/* The second at which remote is let in again for user, if no failure is
 * added meanwhile, when over_limits refuses it now: each rule that refuses
 * it holds until the oldest failure it needs leaves the window, and the
 * refusal lasts as long as the last of them.  0 when no rule holds (the
 * failures went meanwhile: a read outside a transaction). */
static int refusal_end(struct store *store, const struct auth_policy *policy, const char *user,
                       const char *remote, long long since, const struct failure_counts *counts,
                       long long *end, struct error *err)
{
    long long at, newest, last = 0;
    *end = 0;
    if (counts->client >= policy->max_failures_per_client) {
        if (nth_newest_failure(store, NULL, remote, since, policy->max_failures_per_client, &at, err) != 0)
            return -1;
        last = at;
    }
    if (counts->account_client >= policy->max_failures_per_account_client) {
        if (nth_newest_failure(store, user, remote, since, policy->max_failures_per_account_client,
                               &at, err) != 0)
            return -1;
        last = at > last ? at : last;
    }
    if (counts->account >= policy->max_failures_per_account && counts->account_client > 0) {
        /* Until the account has fewer failures, or this client none for it. */
        if (nth_newest_failure(store, user, NULL, since, policy->max_failures_per_account, &at, err) != 0 ||
            nth_newest_failure(store, user, remote, since, 1, &newest, err) != 0)
            return -1;
        at = at < newest ? at : newest;
        last = at > last ? at : last;
    }
    /* A failure at t counts while t >= now - window, through t + window. */
    if (last > 0)
        *end = last + policy->failure_window_seconds + 1;
    return 0;
}

static int account_lockout(struct store *store, const struct auth_policy *policy, const char *user,
                           long long now, struct lockout *lockout, struct error *err)
{
    static const char *clients =
        "SELECT remote, count(*) FROM login_failures WHERE user = ?1 AND at >= ?2 GROUP BY remote";
    long long since = now - policy->failure_window_seconds;
    memset(lockout, 0, sizeof *lockout);
    sqlite3_stmt *s = store_statement(store, clients, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, since);
    int row;
    while ((row = store_step(store, s, err)) > 0) {
        const char *remote = (const char *)sqlite3_column_text(s, 0);
        struct failure_counts counts = {0};
        long long end;
        lockout->failed_logins += sqlite3_column_int64(s, 1);
        if (count_failures(store, policy, user, remote, since, &counts, err) != 0)
            goto fail;
        if (!over_limits(policy, &counts))
            continue;
        if (refusal_end(store, policy, user, remote, since, &counts, &end, err) != 0)
            goto fail;
        if (end == 0)
            continue;
        lockout->locked_clients++;
        if (end > lockout->locked_until)
            lockout->locked_until = end;
    }
    sqlite3_reset(s);
    return row < 0 ? error_prefix(err, "reading failed logins") : 0;
fail:
    sqlite3_reset(s);
    return -1;
}

/* Checks the limits of user and remote and, when the attempt may go on,
 * records it as a failure, in one write transaction: concurrent attempts
 * each see those before them, so together they can never pass a limit.
 * A refused attempt is found with a plain read first and writes nothing
 * (a flood of them must not queue for the write lock).  *attempt is the
 * row to delete if the password turns out right; 0 when the attempt is
 * refused (*limited). */
static int record_attempt(struct store *store, const struct auth_policy *policy,
                          const char *user, const char *remote, long long now,
                          sqlite3_int64 *attempt, bool *limited, struct error *err)
{
    static const char *record_failure =
        "INSERT INTO login_failures (at, user, remote) VALUES (?1, ?2, ?3)";
    struct failure_counts counts = {0};
    long long since = now - policy->failure_window_seconds;
    *attempt = 0;
    if (count_failures(store, policy, user, remote, since, &counts, err) != 0)
        return -1;
    if ((*limited = over_limits(policy, &counts)))
        return 0;
    if (store_begin(store, err) != 0)
        return -1;
    if (count_failures(store, policy, user, remote, since, &counts, err) != 0)
        goto fail;
    if ((*limited = over_limits(policy, &counts))) {
        store_rollback(store);
        return 0;
    }
    sqlite3_stmt *s = store_statement(store, record_failure, err);
    if (!s)
        goto fail;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_text(s, 2, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, remote, -1, SQLITE_TRANSIENT);
    if (step_done(store, s, err, "recording a login attempt") != 0)
        goto fail;
    *attempt = sqlite3_last_insert_rowid(store_db(store));
    if (store_commit(store, err) == 0)
        return 0;
fail:
    store_rollback(store);
    return -1;
}

/* Checks password against the account's hash, or spends the same time on
 * a dummy hash when there is no such account.  *user_id is 0 then. */
static int check_login(struct store *store, const char *user, const char *password,
                       sqlite3_int64 *user_id, bool *ok, struct error *err)
{
    static const char *find_user = "SELECT id, password_hash FROM users WHERE name = ?1";
    char stored_hash[crypto_pwhash_STRBYTES] = "";
    *user_id = 0;
    sqlite3_stmt *s = store_statement(store, find_user, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
    int row = store_step(store, s, err);
    if (row > 0) {
        *user_id = sqlite3_column_int64(s, 0);
        snprintf(stored_hash, sizeof stored_hash, "%s", (const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_reset(s);
    if (row < 0)
        return -1;
    size_t password_length = password ? strlen(password) : 0;
    if (*user_id && password_length <= AUTH_PASSWORD_MAX) {
        *ok = crypto_pwhash_str_verify(stored_hash, password, password_length) == 0;
    } else {
        pthread_once(&dummy_once, make_dummy_hash);
        /* Only the time it takes matters; the answer is thrown away. */
        int same_cost = dummy_ready == 0 && password_length <= AUTH_PASSWORD_MAX
            ? crypto_pwhash_str_verify(dummy_hash, password ? password : "", password_length)
            : -1;
        (void)same_cost;
        *ok = false;
    }
    return 0;
}

/* Replaces the attempt's failure row with a new session for user_id. */
static int open_session(struct store *store, const struct auth_policy *policy,
                        sqlite3_int64 attempt, sqlite3_int64 user_id, char *token,
                        struct error *err)
{
    static const char *forget_attempt = "DELETE FROM login_failures WHERE rowid = ?1";
    static const char *insert_session =
        "INSERT INTO sessions (token_sha256, user_id, csrf_token, created_at, expires_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
    /* The clock again: Argon2id took a while (much longer under valgrind),
     * and a short session must start when it is handed out. */
    long long now = timestamp_unix_now();
    char token_hash[65], csrf[AUTH_TOKEN_HEX + 1];
    random_hex(token);
    random_hex(csrf);
    text_sha256_hex(token, AUTH_TOKEN_HEX, token_hash);
    if (store_begin(store, err) != 0)
        return -1;
    sqlite3_stmt *s = store_statement(store, forget_attempt, err);
    if (!s)
        goto fail;
    sqlite3_bind_int64(s, 1, attempt);
    if (step_done(store, s, err, "forgetting the attempt") != 0 ||
        !(s = store_statement(store, insert_session, err)))
        goto fail;
    sqlite3_bind_text(s, 1, token_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, user_id);
    sqlite3_bind_text(s, 3, csrf, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, now);
    sqlite3_bind_int64(s, 5, now + policy->session_seconds);
    if (step_done(store, s, err, "creating the session") == 0 && store_commit(store, err) == 0)
        return 0;
fail:
    store_rollback(store);
    return -1;
}

int auth_login(struct store *store, const struct auth_policy *policy, const char *user,
               const char *password, const char *remote, char *token,
               struct auth_session *session, enum auth_login_outcome *outcome,
               struct error *err)
{
    /* Names that cannot be accounts are still counted, under one name, so
     * that they cannot be used to dodge the per-address limit's bookkeeping. */
    const char *counted_user = auth_valid_user_name(user) ? user : "(invalid)";
    sqlite3_int64 attempt, user_id;
    bool limited = false, ok = false;
    if (record_attempt(store, policy, counted_user, remote, timestamp_unix_now(), &attempt,
                       &limited, err) != 0)
        return -1;
    if (limited) {
        *outcome = AUTH_LOGIN_LIMITED;
        return 0;
    }
    /* Outside any transaction: Argon2id takes about 0.1 s. */
    if (check_login(store, counted_user, password, &user_id, &ok, err) != 0)
        return -1;
    if (!ok) {
        *outcome = AUTH_LOGIN_DENIED;   /* the attempt's row is the failure */
        return 0;
    }
    if (open_session(store, policy, attempt, user_id, token, err) != 0)
        return -1;
    bool found;
    if (auth_session_lookup(store, token, session, &found, err) != 0)
        return -1;
    if (!found)
        return error_set(err, ERROR_INTERNAL, "the new session could not be read back");
    *outcome = AUTH_LOGIN_OK;
    return 0;
}

int auth_logout(struct store *store, const char *token, struct error *err)
{
    static const char *sql = "DELETE FROM sessions WHERE token_sha256 = ?1";
    if (!is_token(token))
        return 0;
    char token_hash[65];
    text_sha256_hex(token, AUTH_TOKEN_HEX, token_hash);
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, token_hash, -1, SQLITE_TRANSIENT);
    return step_done(store, s, err, "ending the session");
}

int auth_purge(struct store *store, const struct auth_policy *policy, struct error *err)
{
    static const char *sessions = "DELETE FROM sessions WHERE expires_at <= ?1";
    static const char *failures = "DELETE FROM login_failures WHERE at < ?1";
    long long now = timestamp_unix_now();
    sqlite3_stmt *s = store_statement(store, sessions, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, now);
    if (step_done(store, s, err, "purging sessions") != 0)
        return -1;
    if (!(s = store_statement(store, failures, err)))
        return -1;
    sqlite3_bind_int64(s, 1, now - policy->failure_window_seconds);
    return step_done(store, s, err, "purging failed logins");
}

bool auth_csrf_ok(const struct auth_session *session, const char *header_value)
{
    if (!header_value || strlen(header_value) != AUTH_TOKEN_HEX ||
        strlen(session->csrf) != AUTH_TOKEN_HEX)
        return false;
    return sodium_memcmp(session->csrf, header_value, AUTH_TOKEN_HEX) == 0;
}

/* ---- access -------------------------------------------------------------- */

bool auth_sees_department(const struct auth_session *session, const char *department)
{
    if (!department)
        return false;
    for (size_t i = 0; i < session->department_count; i++)
        if (strcmp(session->departments[i], department) == 0)
            return true;
    return false;
}

json_t *auth_departments(struct store *store, const struct auth_session *session,
                         struct error *err)
{
    static const char *sql =
        "SELECT d.code, d.name, d.university_code, d.university_name, d.round,"
        " (SELECT count(*) FROM applications a WHERE a.department = d.code) AS applications"
        " FROM departments d WHERE d.code = ?1";
    json_t *list = json_array();
    for (size_t i = 0; i < session->department_count; i++) {
        sqlite3_stmt *s = store_statement(store, sql, err);
        if (!s) {
            json_decref(list);
            return NULL;
        }
        sqlite3_bind_text(s, 1, session->departments[i], -1, SQLITE_TRANSIENT);
        int row = store_step(store, s, err);
        if (row < 0) {
            json_decref(list);
            return NULL;
        }
        if (row > 0)
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}",
                "code", (const char *)sqlite3_column_text(s, 0),
                "name", (const char *)sqlite3_column_text(s, 1),
                "university_code", (const char *)sqlite3_column_text(s, 2),
                "university_name", (const char *)sqlite3_column_text(s, 3),
                "round", (const char *)sqlite3_column_text(s, 4),
                "applications", (json_int_t)sqlite3_column_int64(s, 5)));
        sqlite3_reset(s);
    }
    return list;
}

int auth_resolve_application(struct store *store, const struct auth_session *session,
                             const char *key, sqlite3_int64 *application_id, bool *found,
                             struct error *err)
{
    *found = false;
    const char *dash = key ? strchr(key, '-') : NULL;
    if (!dash || dash == key || (size_t)(dash - key) > AUTH_CODE_MAX)
        return 0;
    char department[AUTH_CODE_MAX + 1];
    snprintf(department, sizeof department, "%.*s", (int)(dash - key), key);
    if (!auth_valid_code(department) || !auth_valid_code(dash + 1) ||
        !auth_sees_department(session, department))
        return 0;
    if (query_resolve_application(store, key, application_id, err) == 0) {
        *found = true;
        return 0;
    }
    /* Absent, or a bare number: not found.  Anything else is a failure. */
    if (err->kind == ERROR_NOT_FOUND || err->kind == ERROR_INVALID) {
        error_clear(err);
        return 0;
    }
    return -1;
}

int auth_find_file(struct store *store, const struct auth_session *session, const char *sha256,
                   struct auth_file *file, bool *found, struct error *err)
{
    static const char *sql =
        "SELECT a.key, a.department, t.name, f.media_type, f.size"
        " FROM attachments t JOIN applications a ON a.id = t.application_id"
        " JOIN files f ON f.sha256 = t.sha256"
        " WHERE t.sha256 = ?1 ORDER BY a.key, t.owner_kind, t.owner_id, t.position";
    *found = false;
    if (!sha256 || !text_is_sha256_hex(sha256))
        return 0;
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, sha256, -1, SQLITE_TRANSIENT);
    int row;
    while ((row = store_step(store, s, err)) > 0) {
        if (!auth_sees_department(session, (const char *)sqlite3_column_text(s, 1)))
            continue;
        snprintf(file->application, sizeof file->application, "%s",
                 (const char *)sqlite3_column_text(s, 0));
        snprintf(file->name, sizeof file->name, "%s", (const char *)sqlite3_column_text(s, 2));
        snprintf(file->media_type, sizeof file->media_type, "%s",
                 (const char *)sqlite3_column_text(s, 3));
        file->size = sqlite3_column_int64(s, 4);
        *found = true;
        break;
    }
    sqlite3_reset(s);
    return row < 0 ? error_prefix(err, "finding the file") : 0;
}
