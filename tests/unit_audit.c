/* unit_audit — the server's audit writer under a flood:
 * - refused logins are counted, one row per client address and minute,
 *   the first in the journal at once, the final count at the stop;
 * - past 768 addresses in a minute the others share one row;
 * - the journal never grows past its cap when rows come faster than the
 *   importer takes them (the appender imports), and no row is lost. */
#include "core/error.h"
#include "server/audit.h"
#include "store/store.h"
#include "unit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
    char db[4200], journal[4300];
    if (!fresh_database("refusals", db, sizeof db))
        return;
    snprintf(journal, sizeof journal, "%s.audit-journal", db);
    struct audit_writer *writer = NULL;
    struct error err = {0};
    CHECK(audit_writer_start(db, 0, &writer, &err) == 0, "start the writer (%s)", err.message);
    if (!writer)
        return;
    CHECK(audit_writer_refused(writer, "victim", "192.0.2.1", false, &err) == 0, "a refused login");
    long long after_first = file_size(journal);
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
    CHECK(file_size(journal) <= after_first + 600,   /* a row or two more if a minute ends meanwhile */
          "30,000 refusals of one minute add nothing to the journal but the other address's row "
          "(%lld -> %lld bytes)", after_first, file_size(journal));
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
    CHECK(file_size(journal) == 0, "the journal is empty after the stop");
}

static void test_journal_cap(void)
{
    char db[4200], journal[4300];
    if (!fresh_database("cap", db, sizeof db))
        return;
    snprintf(journal, sizeof journal, "%s.audit-journal", db);
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
        long long size = file_size(journal);
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

int main(void)
{
    if (!unit_temporary_directory(directory, sizeof directory, "beishen-unit-audit"))
        return unit_finish();
    test_refusals();
    test_journal_cap();
    return unit_finish();
}
