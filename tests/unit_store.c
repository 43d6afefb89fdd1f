/* unit_store — the store's contracts and the defects they once had:
 * - store_step tells a finished statement from a failed one, with a kind;
 * - the statement cache never finalizes a statement a caller is iterating,
 *   however many others are prepared meanwhile;
 * - transactions nest as savepoints: an inner rollback undoes its part only;
 * - refreshing pool statistics fails on a read error and keeps the pool's
 *   row (it used to delete it, as if the pool were empty), while a pool
 *   that really became empty loses its row;
 * - concurrent failed logins can never pass the per-account limit (the
 *   count and the record of an attempt are one transaction); a client
 *   that has not failed is never refused for others' failures; the
 *   per-client and spread-out limits; an unlock ends a lockout.
 * The database is built from the project's own fixture, tests/fixtures/browse. */
#include "core/error.h"
#include "core/statistics.h"
#include "ingest/ingest.h"
#include "server/auth.h"
#include "store/index.h"
#include "store/store.h"
#include "unit.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static char directory[4096];

static struct store *open_fresh(const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.db", directory, name);
    struct store *store = NULL;
    struct error err = {0};
    CHECK(store_open(path, &store, &err) == 0, "open %s (%s)", path, err.message);
    return store;
}

static long long single_value(struct store *store, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long value = -1;
    if (sqlite3_prepare_v2(store_db(store), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        value = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return value;
}

/* ---- store_step ------------------------------------------------------------- */

static void test_step(void)
{
    struct store *store = open_fresh("step");
    if (!store)
        return;
    static const char *counting =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT x FROM c";
    /* The third row overflows: an error in the middle of a result. */
    static const char *failing =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5)"
        " SELECT CASE WHEN x = 3 THEN abs(-9223372036854775807 - 1) ELSE x END FROM c";
    struct error err = {0};
    sqlite3_stmt *s = store_statement(store, counting, &err);
    int rows = 0, row;
    while ((row = store_step(store, s, &err)) > 0)
        rows++;
    CHECK(rows == 3 && row == 0, "store_step: 3 rows then 0 for done (got %d, last %d)", rows, row);

    s = store_statement(store, failing, &err);
    rows = 0;
    while ((row = store_step(store, s, &err)) > 0)
        rows++;
    CHECK(rows == 2 && row == -1, "store_step: 2 rows then -1 for the failure (got %d, last %d)",
          rows, row);
    CHECK(err.kind == ERROR_INTERNAL && strstr(err.message, "integer overflow"),
          "the failure is internal and says why: %s (%s)", error_kind_name(err.kind), err.message);
    CHECK(!sqlite3_stmt_busy(s), "a failed statement is reset");

    s = store_statement(store, "INSERT INTO departments(code, name) VALUES (NULL, NULL)", &err);
    error_clear(&err);
    CHECK(s && store_step(store, s, &err) == -1 && err.kind == ERROR_INVALID,
          "a broken constraint is invalid input (%s: %s)", error_kind_name(err.kind), err.message);
    store_close(store);
}

/* ---- the statement cache ----------------------------------------------------- */

#define OTHER_STATEMENTS 150
static char other_sql[OTHER_STATEMENTS][48];

static void test_cache_keeps_statements_in_use(void)
{
    struct store *store = open_fresh("cache");
    if (!store)
        return;
    static const char *outer =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10) SELECT x FROM c";
    struct error err = {0};
    sqlite3_stmt *s = store_statement(store, outer, &err);
    long long sum = 0;
    int row, prepared = 0;
    /* Between rows of the outer statement, far more statements than the
     * cache holds are prepared and run: the outer one must survive. */
    while ((row = store_step(store, s, &err)) > 0) {
        sum += sqlite3_column_int64(s, 0);
        for (int i = 0; i < OTHER_STATEMENTS / 10; i++, prepared++) {
            sqlite3_stmt *other = store_statement(store, other_sql[prepared], &err);
            if (other)
                store_step(store, other, &err);
        }
    }
    CHECK(row == 0 && sum == 55, "a statement in use survives %d others (sum %lld, last %d)",
          prepared, sum, row);
    /* And each of those is still right when asked again. */
    bool right = true;
    for (int i = 0; i < OTHER_STATEMENTS; i++) {
        sqlite3_stmt *other = store_statement(store, other_sql[i], &err);
        right = right && other && store_step(store, other, &err) == 1 &&
                sqlite3_column_int(other, 0) == i;
        if (other)
            sqlite3_reset(other);
    }
    CHECK(right, "every cached or re-prepared statement still answers");
    store_close(store);
}

/* ---- nested transactions ------------------------------------------------------- */

static void test_nested_transactions(void)
{
    struct store *store = open_fresh("nested");
    if (!store)
        return;
    struct error err = {0};
    store_exec(store, "CREATE TABLE t(x)", &err);
    bool ok = store_begin(store, &err) == 0 &&
              store_exec(store, "INSERT INTO t VALUES (1)", &err) == 0 &&
              store_begin(store, &err) == 0 &&
              store_exec(store, "INSERT INTO t VALUES (2)", &err) == 0;
    store_rollback(store);                       /* the inner one only */
    ok = ok && store_begin(store, &err) == 0 &&
         store_exec(store, "INSERT INTO t VALUES (3)", &err) == 0 &&
         store_commit(store, &err) == 0 &&       /* inner: released */
         store_commit(store, &err) == 0;         /* outer: committed */
    CHECK(ok, "begin, begin, rollback, begin, commit, commit (%s)", err.message);
    CHECK(single_value(store, "SELECT group_concat(x) = '1,3' FROM t") == 1,
          "an inner rollback undid its row only");
    CHECK(sqlite3_get_autocommit(store_db(store)), "no transaction is left open");
    store_close(store);
}

/* ---- pool statistics ------------------------------------------------------------- */

static int deny_pool_scores(void *user, int action, const char *a, const char *b, const char *c,
                            const char *d)
{
    (void)user, (void)b, (void)c, (void)d;
    return action == SQLITE_READ && a && strcmp(a, "pool_scores") == 0 ? SQLITE_DENY : SQLITE_OK;
}

static void test_pool_statistics_refresh(void)
{
    struct store *store = open_fresh("pools");
    if (!store)
        return;
    struct ingest_summary summary = {0};
    struct error err = {0};
    CHECK(ingest_package(store, "tests/fixtures/browse", &summary, NULL, NULL, &err) == 0 &&
          summary.loaded > 0, "ingest tests/fixtures/browse (%d loaded; %s)", summary.loaded,
          err.message);
    ingest_summary_free(&summary);
    long long pools = single_value(store, "SELECT count(*) FROM pool_statistics");
    CHECK(pools > 0 && single_value(store, "SELECT count(*) FROM pool_statistics"
                                           " WHERE statistics IS NULL") == 0,
          "%lld pools, none stale after the ingest", pools);

    /* A read error while refreshing: the refresh fails, the rows stay. */
    store_exec(store, "UPDATE pool_statistics SET statistics = NULL", &err);
    sqlite3_set_authorizer(store_db(store), deny_pool_scores, NULL);
    error_clear(&err);
    int rc = store_begin(store, &err) == 0 ? index_refresh_pool_statistics(store, &err) : -2;
    if (rc == 0)
        store_commit(store, &err);
    else
        store_rollback(store);
    sqlite3_set_authorizer(store_db(store), NULL, NULL);
    CHECK(rc == -1 && err.kind != ERROR_NOT_FOUND && err.kind != ERROR_NONE,
          "a pool that cannot be read fails the refresh (%d, %s: %s)", rc,
          error_kind_name(err.kind), err.message);
    CHECK(single_value(store, "SELECT count(*) FROM pool_statistics") == pools,
          "no pool's row was deleted for a read error (%lld of %lld left)",
          single_value(store, "SELECT count(*) FROM pool_statistics"), pools);

    /* Readable again: every stale row is computed. */
    error_clear(&err);
    rc = store_begin(store, &err) == 0 ? index_refresh_pool_statistics(store, &err) : -2;
    rc = rc == 0 ? store_commit(store, &err) : (store_rollback(store), rc);
    CHECK(rc == 0 && single_value(store, "SELECT count(*) FROM pool_statistics"
                                         " WHERE statistics IS NULL") == 0,
          "the refresh then computes every stale pool (%s)", err.message);

    /* A pool with no scores left loses its row, as before. */
    store_exec(store, "INSERT INTO pool_statistics(department, kind, key, statistics)"
                      " VALUES ('001012', 0, 'no such course', NULL)", &err);
    rc = store_begin(store, &err) == 0 ? index_refresh_pool_statistics(store, &err) : -2;
    rc = rc == 0 ? store_commit(store, &err) : (store_rollback(store), rc);
    CHECK(rc == 0 && single_value(store, "SELECT count(*) FROM pool_statistics"
                                         " WHERE key = 'no such course'") == 0,
          "an empty pool's row is dropped (%s)", err.message);

    /* index_pool_statistics tells absent from failed. */
    error_clear(&err);
    json_t *none = index_pool_statistics(store, "001012", POOL_COURSE, "no such course", &err);
    CHECK(!none && err.kind == ERROR_NOT_FOUND, "an empty pool is ERROR_NOT_FOUND (%s)",
          error_kind_name(err.kind));
    store_close(store);
}

/* ---- concurrent logins ------------------------------------------------------------ */

#define LOGIN_THREADS 8

struct login_thread {
    char path[4200];
    const struct auth_policy *policy;
    enum auth_login_outcome outcome;
    int rc;
};

static void *try_login(void *argument)
{
    struct login_thread *t = argument;
    struct store *store;
    struct error err;
    t->rc = -1;
    if (store_open(t->path, &store, &err) != 0)
        return NULL;
    char token[AUTH_TOKEN_HEX + 1];
    struct auth_session session;
    t->rc = auth_login(store, t->policy, "target", "a-wrong-password", "192.0.2.7", token,
                       &session, &t->outcome, &err);
    store_close(store);
    return NULL;
}

static void test_login_limit_under_concurrency(void)
{
    struct store *store = open_fresh("logins");
    if (!store)
        return;
    struct error err = {0};
    CHECK(auth_init(&err) == 0, "libsodium");
    /* A reviewer is granted a department the database has. */
    CHECK(store_exec(store, "INSERT INTO departments (code, name, university_code, university_name, round)"
                            " VALUES ('001012', '中國文學系', '001', '國立臺灣大學', '115')", &err) == 0,
          "department row (%s)", err.message);
    const char *departments[] = {"001012"};
    struct auth_account account = {.name = "target", .role = AUTH_REVIEWER,
                                   .departments = departments, .department_count = 1,
                                   .password = "the-right-password"};
    CHECK(auth_user_add(store, &account, &err) == 0, "add the account (%s)", err.message);
    struct auth_policy policy;
    auth_default_policy(&policy);
    policy.max_failures_per_account_client = 3;
    struct login_thread threads[LOGIN_THREADS];
    pthread_t ids[LOGIN_THREADS];
    for (int i = 0; i < LOGIN_THREADS; i++) {
        threads[i] = (struct login_thread){.policy = &policy};
        snprintf(threads[i].path, sizeof threads[i].path, "%s/logins.db", directory);
        pthread_create(&ids[i], NULL, try_login, &threads[i]);
    }
    int denied = 0, limited = 0, failed = 0;
    for (int i = 0; i < LOGIN_THREADS; i++) {
        pthread_join(ids[i], NULL);
        failed += threads[i].rc != 0;
        denied += threads[i].rc == 0 && threads[i].outcome == AUTH_LOGIN_DENIED;
        limited += threads[i].rc == 0 && threads[i].outcome == AUTH_LOGIN_LIMITED;
    }
    CHECK(failed == 0, "every attempt was answered (%d failed)", failed);
    CHECK(denied == policy.max_failures_per_account_client && limited == LOGIN_THREADS - denied,
          "%d concurrent wrong passwords: %d checked (limit %d), %d refused", LOGIN_THREADS,
          denied, policy.max_failures_per_account_client, limited);
    CHECK(single_value(store, "SELECT count(*) FROM login_failures WHERE user = 'target'") == denied,
          "one failure row per checked attempt");
    char token[AUTH_TOKEN_HEX + 1];
    struct auth_session session;
    enum auth_login_outcome outcome;
    CHECK(auth_login(store, &policy, "target", "the-right-password", "192.0.2.7", token, &session,
                     &outcome, &err) == 0 && outcome == AUTH_LOGIN_LIMITED,
          "the account stays limited for the window");
    CHECK(auth_login(store, &policy, "target", "the-right-password", "198.51.100.4", token, &session,
                     &outcome, &err) == 0 && outcome == AUTH_LOGIN_OK,
          "a client that has not failed still gets in with the right password");
    bool found = false;
    long cleared = 0;
    CHECK(auth_unlock(store, "target", &found, &cleared, &err) == 0 && found && cleared == denied,
          "unlock forgets the account's %d failures (%ld)", denied, cleared);
    CHECK(auth_login(store, &policy, "target", "the-right-password", "192.0.2.7", token, &session,
                     &outcome, &err) == 0 && outcome == AUTH_LOGIN_OK,
          "after the unlock the client that failed gets in");
    CHECK(auth_unlock(store, "nobody", &found, &cleared, &err) == 0 && !found,
          "unlock of an account that does not exist finds nothing");

    /* Failures spread over clients: once the account has its limit from
     * all of them, a client that failed is refused for it, one that did
     * not is not. */
    struct auth_policy spread = policy;
    spread.max_failures_per_account = 3;
    const char *clients[] = {"203.0.113.1", "203.0.113.2", "203.0.113.3"};
    for (int i = 0; i < 3; i++)
        auth_login(store, &spread, "target", "a-wrong-password", clients[i], token, &session, &outcome, &err);
    CHECK(auth_login(store, &spread, "target", "the-right-password", clients[0], token, &session,
                     &outcome, &err) == 0 && outcome == AUTH_LOGIN_LIMITED,
          "an account failed from 3 clients (limit 3): a client among them is refused");
    CHECK(auth_login(store, &spread, "target", "the-right-password", "203.0.113.99", token, &session,
                     &outcome, &err) == 0 && outcome == AUTH_LOGIN_OK,
          "an unrelated client still gets in");
    struct auth_policy strict = policy;
    strict.max_failures_per_client = 2;
    auth_login(store, &strict, "someone", "a-wrong-password", "203.0.113.50", token, &session, &outcome, &err);
    auth_login(store, &strict, "another", "a-wrong-password", "203.0.113.50", token, &session, &outcome, &err);
    CHECK(auth_login(store, &strict, "target", "the-right-password", "203.0.113.50", token, &session,
                     &outcome, &err) == 0 && outcome == AUTH_LOGIN_LIMITED,
          "a client that failed for two names (limit 2) is refused for every account");
    store_close(store);
}

/* ---- two ingests at once --------------------------------------------------------- */

struct concurrent_ingest {
    struct store *store;
    struct ingest_summary summary;
    int rc;
    struct error err;
};

static gpointer run_ingest(gpointer data)
{
    struct concurrent_ingest *run = data;
    run->rc = ingest_package(run->store, "tests/fixtures/round-small", &run->summary, NULL, NULL,
                             &run->err);
    return NULL;
}

/* Two ingests of one package into one database at once, on two
 * connections and without ingest_lock_acquire: each may find the
 * applications absent before it writes, so the check for a stored copy
 * must be made again inside the write transaction (it was not: the second
 * failed with a UNIQUE constraint error).  Every application is loaded by
 * one of them and found unchanged by the other. */
static void test_concurrent_ingests(void)
{
    struct concurrent_ingest runs[2] = {{0}};
    runs[0].store = open_fresh("concurrent");
    runs[1].store = open_fresh("concurrent");
    if (!runs[0].store || !runs[1].store)
        return;
    GThread *threads[2];
    for (int i = 0; i < 2; i++)
        threads[i] = g_thread_new("ingest", run_ingest, &runs[i]);
    for (int i = 0; i < 2; i++)
        g_thread_join(threads[i]);
    for (int i = 0; i < 2; i++)
        CHECK(runs[i].rc == 0 && runs[i].summary.rejected == 0,
              "concurrent ingest %d: exit 0, nothing rejected (%s)", i + 1, runs[i].err.message);
    CHECK(runs[0].summary.loaded + runs[1].summary.loaded == 10 &&
          runs[0].summary.unchanged + runs[1].summary.unchanged == 10,
          "concurrent ingests: 10 loaded and 10 unchanged between them (%d + %d, %d + %d)",
          runs[0].summary.loaded, runs[1].summary.loaded, runs[0].summary.unchanged,
          runs[1].summary.unchanged);
    CHECK(single_value(runs[0].store, "SELECT count(*) FROM applications") == 10 &&
          single_value(runs[0].store, "SELECT count(*) FROM students") == 10,
          "concurrent ingests: 10 applications stored once");
    for (int i = 0; i < 2; i++) {
        ingest_summary_free(&runs[i].summary);
        store_close(runs[i].store);
    }
}

int main(void)
{
    for (int i = 0; i < OTHER_STATEMENTS; i++)
        snprintf(other_sql[i], sizeof other_sql[i], "SELECT %d", i);
    if (!unit_temporary_directory(directory, sizeof directory, "beishen-unit-store"))
        return unit_finish();
    test_step();
    test_cache_keeps_statements_in_use();
    test_nested_transactions();
    test_pool_statistics_refresh();
    test_concurrent_ingests();
    test_login_limit_under_concurrency();
    int status;
    g_free(unit_run(&status, "rm -rf '%s'", directory));
    return unit_finish();
}
