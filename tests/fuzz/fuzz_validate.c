/* fuzz_validate — review/ingest/validate.c, every rule of the export
 * contract, on arbitrary bytes parsed as ingest parses them (duplicate
 * keys refused, NUL let through for validate to name).  Each input is
 * checked as a manifest and as an application (against the manifest of
 * tests/fixtures/browse, whose departments it may name).  Promises:
 *  - neither check crashes, leaks or overruns, whatever the JSON;
 *  - validate_manifest returns 0 or -1, and an entry it marks usable has
 *    a path applications/<department>-<application_no>.json;
 *  - what validate_application passes, ingest loads: an application with
 *    no problems and no attachments is written into a real store (a
 *    one-application package in a temporary directory) and must load,
 *    which is where a rule validate forgot would show. */
#include "fuzz.h"
#include "core/text.h"
#include "ingest/ingest.h"
#include "ingest/validate.h"
#include "store/store.h"

#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

/* tests/fixtures/browse/manifest.json's header and departments. */
static const char manifest_text[] =
    "{\"format\": \"lp-export\", \"version\": 1, \"round\": \"114學年度大學個人申請入學\","
    " \"exported_at\": \"2025-03-28T09:00:00+08:00\","
    " \"university\": {\"code\": \"001\", \"name\": \"國立臺灣大學\"},"
    " \"departments\": [{\"code\": \"001012\", \"name\": \"中國文學系\"},"
    " {\"code\": \"001022\", \"name\": \"外國語文學系\"}], \"applications\": []}";

static struct manifest manifest;
static char *directory;          /* the temporary store and packages */
static struct store *store;
static unsigned ingests;

static void open_store(void)
{
    char *path = g_build_filename(directory, "fuzz.db", NULL);
    struct error err;
    FUZZ_CHECK(store_open(path, &store, &err) == 0, "store: %s", err.message);
    g_free(path);
}

/* Starts over with an empty database now and then, so that it stays small. */
static void reset_store(void)
{
    store_close(store);
    char *command = g_strdup_printf("rm -rf '%s'/fuzz.db*", directory);
    FUZZ_CHECK(system(command) == 0, "%s", command);
    g_free(command);
    open_store();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    json_t *root = json_loads(manifest_text, 0, NULL);
    struct problem_list problems = {0};
    FUZZ_CHECK(validate_manifest(root, "manifest.json", &manifest, &problems) == 0 &&
               problems.count == 0, "the fixed manifest");
    problems_free(&problems);
    json_decref(root);
    /* tmpfs when there is one: every passing application is a transaction. */
    directory = fuzz_scratch_directory("validate");
    open_store();
    return 0;
}

/* The application (bytes that validate passed) as the one application of
 * a package, ingested; it must load. */
static void ingest_one(const uint8_t *data, size_t size, const json_t *application)
{
    const char *department = json_string_value(json_object_get(application, "department"));
    const char *number = json_string_value(json_object_get(application, "application_no"));
    char member[64], sha256[65];
    snprintf(member, sizeof member, "applications/%s-%s.json", department, number);
    text_sha256_hex(data, size, sha256);
    json_t *package_manifest = json_loads(manifest_text, 0, NULL);
    json_array_append_new(json_object_get(package_manifest, "applications"),
                          json_pack("{s:s, s:s, s:s, s:s}", "application_no", number,
                                    "department", department, "path", member, "sha256", sha256));
    char *package = g_build_filename(directory, "package", NULL);
    char *applications = g_build_filename(package, "applications", NULL);
    char *manifest_path = g_build_filename(package, "manifest.json", NULL);
    char *application_path = g_build_filename(package, member, NULL);
    FUZZ_CHECK(g_mkdir_with_parents(applications, 0700) == 0, "mkdir %s", applications);
    FUZZ_CHECK(json_dump_file(package_manifest, manifest_path, 0) == 0, "write %s", manifest_path);
    FUZZ_CHECK(g_file_set_contents(application_path, (const char *)data, (gssize)size, NULL),
               "write %s", application_path);

    struct ingest_summary summary = {0};
    struct error err = {0};
    int rc = ingest_package(store, package, &summary, NULL, NULL, &err);
    FUZZ_CHECK(rc == 0, "ingest failed: %s", err.message);
    FUZZ_CHECK(summary.loaded + summary.replaced + summary.unchanged == 1 && summary.rejected == 0,
               "validate passed an application ingest did not load: %s%s%s",
               summary.problems.count ? summary.problems.items[0].path : "",
               summary.problems.count ? " " : "",
               summary.problems.count ? summary.problems.items[0].rule : "");
    ingest_summary_free(&summary);

    g_unlink(application_path);
    g_rmdir(applications);
    g_unlink(manifest_path);
    g_rmdir(package);
    g_free(application_path);
    g_free(manifest_path);
    g_free(applications);
    g_free(package);
    json_decref(package_manifest);
    if (++ingests % 500 == 0)
        reset_store();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t json_err;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
                              &json_err);
    if (!root)
        return 0;

    struct problem_list problems = {0};
    struct manifest parsed;
    int rc = validate_manifest(root, "manifest.json", &parsed, &problems);
    FUZZ_CHECK(rc == 0 || rc == -1, "validate_manifest returned %d", rc);
    for (size_t i = 0; rc == 0 && i < parsed.entry_count; i++) {
        const struct manifest_entry *entry = &parsed.entries[i];
        char expected[64];
        snprintf(expected, sizeof expected, "applications/%s-%s.json", entry->department,
                 entry->application_no);
        FUZZ_CHECK(!entry->usable || strcmp(entry->path, expected) == 0,
                   "usable entry %zu has path %s", i, entry->path);
    }
    manifest_free(&parsed);
    problems_free(&problems);

    struct file_reference_list files = {0};
    size_t found = validate_application(root, "application.json", &manifest, NULL, &problems, &files);
    FUZZ_CHECK(found == problems.count, "%zu problems counted, %zu listed", found, problems.count);
    if (found == 0 && files.count == 0)
        ingest_one(data, size, root);
    file_references_free(&files);
    problems_free(&problems);
    json_decref(root);
    return 0;
}
