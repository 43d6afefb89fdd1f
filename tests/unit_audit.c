/* unit_audit — the server's audit writer under a flood:
 * - refused logins are counted, one row per client address and minute,
 *   the first in the journal at once, the final count at the stop;
 * - past 768 addresses in a minute the others share one row;
 * - the journal never grows past its cap when rows come faster than the
 *   importer takes them (the appender imports), and no row is lost;
 * - two writers on one database (two servers) keep a journal each, each
 *   emptied while both run; a journal left by a killed one is adopted;
 *   every row of both is stored once. */
#include "core/error.h"
#include "core/files.h"
#include "server/audit.h"
#include "store/store.h"
#include "unit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char directory[4096];

static long long single_value(const char *db, const char *sql)
{
    sqlite3 *handle = NULL;
    sqlite3_stmt *s = NULL;
    long long value = -1;
    if (sqlite3_open_v2(db, &handle, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(handle, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        value = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(handle);
    return value;
}

static char *single_text(const char *db, const char *sql)
{
    sqlite3 *handle = NULL;
    sqlite3_stmt *s = NULL;
    char *value = NULL;
    if (sqlite3_open_v2(db, &handle, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(handle, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_text(s, 0))
        value = g_strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(handle);
    return value ? value : g_strdup("(none)");
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* Every journal beside db: how many files and their bytes in all. */
struct journals {
    int files;
    long long bytes;
};

static int count_journal(const char *path, void *data)
{
    struct journals *j = data;
    j->files++;
    j->bytes += file_size(path);
    return 0;
}

static struct journals journals_of(const char *db)
{
    char prefix[4300];
    snprintf(prefix, sizeof prefix, "%s.audit-journal", db);
    struct journals j = {0, 0};
    struct error err;
    files_each_with_prefix(prefix, count_journal, &j, &err);
    return j;
}

static bool fresh_database(const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s.db", directory, name);
    struct store *store = NULL;
    struct error err = {0};
    bool ok = store_open(path, &store, &err) == 0;
    CHECK(ok, "create %s (%s)", path, err.message);
    store_close(store);
    return ok;
}

static void test_refusals(void)
{
    char db[4200];
    if (!fresh_database("refusals", db, sizeof db))
        return;
    struct audit_writer *writer = NULL;
    struct error err = {0};
    CHECK(audit_writer_start(db, 0, &writer, &err) == 0, "start the writer (%s)", err.message);
    if (!writer)
        return;
    CHECK(audit_writer_refused(writer, "victim", "192.0.2.1", false, &err) == 0, "a refused login");
    long long after_first = journals_of(db).bytes;
    CHECK(after_first > 0, "the minute's first refusal is in the journal at once (%lld bytes)", after_first);
    int failures = 0;
    for (int i = 1; i < 30000; i++) {
        char user[32];
        snprintf(user, sizeof user, "account%d", i % 12);
        failures += audit_writer_refused(writer, i < 100 ? "victim" : user, "192.0.2.1", i >= 5, &err) != 0;
    }
    for (int i = 0; i < 10; i++)
        failures += audit_writer_refused(writer, "other", "198.51.100.2", false, &err) != 0;
    CHECK(failures == 0, "30,010 refusals recorded (%d failed)", failures);
    CHECK(journals_of(db).bytes <= after_first + 600,   /* a row or two more if a minute ends meanwhile */
          "30,000 refusals of one minute add nothing to the journal but the other address's row "
          "(%lld -> %lld bytes)", after_first, journals_of(db).bytes);
    /* 800 addresses in one minute: 768 rows, the rest share one. */
    for (int i = 0; i < 800; i++) {
        char remote[32];
        snprintf(remote, sizeof remote, "10.0.%d.%d", i / 256, i % 256);
        failures += audit_writer_refused(writer, "spread", remote, false, &err) != 0;
    }
    audit_writer_stop(writer);
    /* A minute may have ended during the loops: count by sums, not rows. */
    CHECK(single_value(db, "SELECT sum(count) FROM audit_log WHERE remote = '192.0.2.1'") == 30000,
          "the stop writes the final count: 30,000 (%lld)",
          single_value(db, "SELECT sum(count) FROM audit_log WHERE remote = '192.0.2.1'"));
    CHECK(single_value(db, "SELECT count(*) FROM audit_log WHERE remote = '192.0.2.1'") <= 2,
          "one row per address and minute");
    char *detail = single_text(db, "SELECT detail FROM audit_log WHERE remote = '192.0.2.1' ORDER BY id LIMIT 1");
    CHECK(strstr(detail, "limited") && strstr(detail, "accounts victim, account") && strstr(detail, "and others"),
          "the detail counts wrong and limited and names the accounts (8, then \"and others\"): %s", detail);
    g_free(detail);
    char *user = single_text(db, "SELECT user FROM audit_log WHERE remote = '198.51.100.2'");
    CHECK(strcmp(user, "other") == 0 && single_value(db, "SELECT count FROM audit_log WHERE remote = '198.51.100.2'") == 10,
          "another address has its own row, user the one account it tried (%s)", user);
    g_free(user);
    CHECK(single_value(db, "SELECT count(*) FROM audit_log WHERE user = 'spread'") <= 770 &&
          single_value(db, "SELECT sum(count) FROM audit_log WHERE user = 'spread'") == 800,
          "800 addresses: at most 768 rows of their own and one shared, every refusal counted (%lld rows)",
          single_value(db, "SELECT count(*) FROM audit_log WHERE user = 'spread'"));
    CHECK(single_value(db, "SELECT count(*) FROM audit_log WHERE remote = '(many addresses)'") >= 1,
          "the shared row says so");
    CHECK(journals_of(db).files == 0, "no journal is left after the stop (%d)", journals_of(db).files);
}

static void test_journal_cap(void)
{
    char db[4200];
    if (!fresh_database("cap", db, sizeof db))
        return;
    const size_t cap = 64 * 1024;
    struct audit_writer *writer = NULL;
    struct error err = {0};
    CHECK(audit_writer_start(db, cap, &writer, &err) == 0, "start the writer with a 64 KiB cap (%s)",
          err.message);
    if (!writer)
        return;
    long long largest = 0;
    int failures = 0;
    for (int i = 0; i < 5000; i++) {
        char detail[64];
        snprintf(detail, sizeof detail, "row %d of a burst the importer cannot follow", i);
        struct audit_entry entry = {"reader", "view_category", "001012-10000001", detail, "127.0.0.1"};
        failures += audit_writer_record(writer, &entry, &err) != 0;
        long long size = journals_of(db).bytes;
        if (size > largest)
            largest = size;
    }
    CHECK(failures == 0, "5,000 rows (about 600 KB) appended (%d refused)", failures);
    CHECK(largest > 0 && largest <= (long long)cap + 1024,
          "the journal stayed under its cap: at most %lld bytes", largest);
    audit_writer_stop(writer);
    CHECK(single_value(db, "SELECT count(*) FROM audit_log WHERE user = 'reader'") == 5000,
          "every row reached audit_log");
}

/* One of two servers recording rows in a tight loop. */
struct burst {
    struct audit_writer *writer;
    const char *user;
    int rows, failures;
    const char *db;
    long long largest;                   /* the journals' largest size seen */
};

static void *record_burst(void *argument)
{
    struct burst *b = argument;
    for (int i = 0; i < b->rows; i++) {
        char detail[64];
        snprintf(detail, sizeof detail, "row %d of %s", i, b->user);
        struct audit_entry entry = {b->user, "view_category", "001012-10000001", detail, "127.0.0.1"};
        struct error err;
        b->failures += audit_writer_record(b->writer, &entry, &err) != 0;
        long long size = journals_of(b->db).bytes;
        if (size > b->largest)
            b->largest = size;
    }
    return NULL;
}

static long long rows_of(const char *db, const char *user)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE user = '%s'", user);
    return single_value(db, sql);
}

static void test_two_writers(void)
{
    char db[4200];
    if (!fresh_database("shared", db, sizeof db))
        return;
    /* Two writers: to the journals' locks they are two servers.  A 64 KiB
     * cap empties a journal past 32 KiB. */
    const size_t cap = 64 * 1024;
    struct audit_writer *one = NULL, *two = NULL;
    struct error err = {0};
    CHECK(audit_writer_start(db, cap, &one, &err) == 0, "start the first writer (%s)", err.message);
    CHECK(audit_writer_start(db, cap, &two, &err) == 0, "start a second on the same database (%s)", err.message);
    if (!one || !two) {
        audit_writer_stop(one);
        audit_writer_stop(two);
        return;
    }
    CHECK(journals_of(db).files == 2, "each has a journal of its own (%d)", journals_of(db).files);
    struct burst bursts[2] = {{one, "first", 6000, 0, db, 0}, {two, "second", 6000, 0, db, 0}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, record_burst, &bursts[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    long long largest = bursts[0].largest > bursts[1].largest ? bursts[0].largest : bursts[1].largest;
    CHECK(bursts[0].failures == 0 && bursts[1].failures == 0, "12,000 rows from two writers (%d, %d refused)",
          bursts[0].failures, bursts[1].failures);
    /* Never emptied, 12,000 rows of about 100 bytes make 1.2 MB. */
    CHECK(largest > 0 && largest <= 2 * (long long)cap + 4096,
          "while both run, each journal is emptied: together they stayed under two caps (at most %lld bytes)",
          largest);

    /* A journal left by a killed server: no lock on it.  Another's flush
     * adopts it; a live writer's locked journal is left alone. */
    char orphan[4300];
    snprintf(orphan, sizeof orphan, "%s.audit-journal.0123456789abcdef", db);
    FILE *out = fopen(orphan, "w");
    if (out) {
        fputs("killed-1\t2026-01-01T00:00:00.000Z\tkilled\tview\t\\N\t\\N\t127.0.0.1\t1\n"
              "killed-2\t2026-01-01T00:00:01.000Z\tkilled\tview\t\\N\t\\N\t127.0.0.1\t1\n", out);
        fclose(out);
    }
    /* A journal still being created (locked before it is renamed) is not an orphan either. */
    char creating[4300];
    snprintf(creating, sizeof creating, "%s.audit-journal.fedcba9876543210.new", db);
    int creating_fd = open(creating, O_RDWR | O_CREAT, 0600);
    CHECK(audit_writer_flush(two, &err) == 0, "the second writer flushes (%s)", err.message);
    CHECK(rows_of(db, "killed") == 2 && file_size(orphan) < 0,
          "the orphan's rows are in audit_log and it is gone (%lld rows)", rows_of(db, "killed"));
    CHECK(file_size(creating) == 0, "a journal being created is left alone");
    if (creating_fd >= 0)
        close(creating_fd);
    unlink(creating);
    CHECK(journals_of(db).files == 2, "the first writer's journal is not adopted while it runs (%d journals)",
          journals_of(db).files);

    /* The first stops while the second runs. */
    audit_writer_stop(one);
    CHECK(journals_of(db).files == 1, "a writer that stops removes its journal (%d left)", journals_of(db).files);
    struct burst after = {two, "after", 500, 0, db, 0};
    record_burst(&after);
    audit_writer_stop(two);
    CHECK(rows_of(db, "first") == 6000 && rows_of(db, "second") == 6000 && rows_of(db, "after") == 500,
          "every row of both reached audit_log (%lld, %lld, %lld)", rows_of(db, "first"), rows_of(db, "second"),
          rows_of(db, "after"));
    CHECK(single_value(db, "SELECT count(*) FROM (SELECT detail, user FROM audit_log"
                           " WHERE user IN ('first', 'second', 'after') GROUP BY 1, 2 HAVING count(*) > 1)") == 0,
          "and each once");
    CHECK(journals_of(db).files == 0, "no journal is left once both stopped (%d)", journals_of(db).files);
}

int main(void)
{
    if (!unit_temporary_directory(directory, sizeof directory, "beishen-unit-audit"))
        return unit_finish();
    test_refusals();
    test_journal_cap();
    test_two_writers();
    return unit_finish();
}
