/* fuzz_package — review/ingest/package.c, the reader of export packages,
 * on arbitrary bytes as a .zip (package_open takes a path: the bytes are
 * written to a scratch file, on tmpfs when there is one; see fuzz.h).  Each input
 * goes the way ingest takes a package, without the store: open, read
 * manifest.json and check it, list applications/ and files/, read every
 * listed member and every usable manifest entry, check each application
 * and read the attachments it references.  Promises:
 *  - nothing crashes, leaks or overruns, whatever the archive (bad
 *    central directory, huge claimed sizes, bad compression, odd names);
 *  - a member whose path leaves the package is never read;
 *  - a read that succeeds gives at most the cap asked for, NUL-terminated;
 *  - listing gives direct children of the directory only, sorted. */
#include "fuzz.h"
#include "ingest/package.h"
#include "ingest/validate.h"
#include "store/store.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

static char *path;   /* the .zip written for each input */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char *directory = fuzz_scratch_directory("package");
    path = g_build_filename(directory, "package.zip", NULL);
    g_free(directory);
    return 0;
}

struct listing {
    const char *directory;
    GPtrArray *names;
};

static void visit(const char *member, void *context)
{
    struct listing *listing = context;
    size_t prefix = strlen(listing->directory);
    FUZZ_CHECK(strncmp(member, listing->directory, prefix) == 0 && member[prefix] == '/' &&
               member[prefix + 1] && !strchr(member + prefix + 1, '/'),
               "%s listed under %s", member, listing->directory);
    if (listing->names->len > 0)
        FUZZ_CHECK(strcmp(g_ptr_array_index(listing->names, listing->names->len - 1), member) <= 0,
                   "%s listed out of order", member);
    g_ptr_array_add(listing->names, g_strdup(member));
}

/* Reads a member as ingest would; returns the bytes (caller frees) or NULL. */
static char *read_member(struct package *package, const char *member, size_t cap, size_t *length)
{
    char *data = NULL;
    *length = 0;
    struct error err;
    enum package_status status = package_read(package, member, cap, &data, length, &err);
    FUZZ_CHECK(status == PACKAGE_OK || status == PACKAGE_MISSING || status == PACKAGE_ERROR,
               "status %d", status);
    if (status != PACKAGE_OK)
        return NULL;
    FUZZ_CHECK(package_member_path_is_safe(member), "unsafe member %s was read", member);
    FUZZ_CHECK(*length <= cap && data && data[*length] == '\0', "%s: %zu bytes, cap %zu", member,
               *length, cap);
    return data;
}

static void list_and_read(struct package *package, const char *directory)
{
    struct listing listing = {directory, g_ptr_array_new_with_free_func(g_free)};
    struct error err;
    if (package_list(package, directory, visit, &listing, &err) == 0)
        for (guint i = 0; i < listing.names->len; i++) {
            size_t length;
            free(read_member(package, g_ptr_array_index(listing.names, i), 1 << 16, &length));
        }
    g_ptr_array_free(listing.names, TRUE);
}

static void read_application(struct package *package, const struct manifest *manifest,
                             const struct manifest_entry *entry)
{
    size_t length;
    char *data = read_member(package, entry->path, VALIDATE_MAX_APPLICATION_BYTES, &length);
    json_t *root = data ? json_loadb(data, length, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL) : NULL;
    free(data);
    if (!root)
        return;
    struct problem_list problems = {0};
    struct file_reference_list files = {0};
    validate_application(root, entry->path, manifest, entry, &problems, &files);
    for (size_t i = 0; i < files.count; i++) {
        const struct file_reference *ref = &files.items[i];
        char member[128];
        snprintf(member, sizeof member, "files/%s.%s", ref->sha256,
                 store_extension_for(ref->media_type));
        free(read_member(package, member, (size_t)ref->size, &length));
    }
    file_references_free(&files);
    problems_free(&problems);
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_CHECK(fd >= 0, "open %s", path);
    FUZZ_CHECK(write(fd, data, size) == (ssize_t)size, "write %s", path);
    close(fd);

    struct package *package;
    struct error err;
    if (package_open(path, &package, &err) != 0)
        return 0;
    FUZZ_CHECK(strcmp(package_path(package), path) == 0, "package_path %s", package_path(package));
    size_t length;
    char *text = read_member(package, "manifest.json", VALIDATE_MAX_MANIFEST_BYTES, &length);
    json_t *root = text ? json_loadb(text, length, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL) : NULL;
    free(text);
    struct manifest manifest = {0};
    struct problem_list problems = {0};
    if (root && validate_manifest(root, "manifest.json", &manifest, &problems) == 0)
        for (size_t i = 0; i < manifest.entry_count; i++)
            if (manifest.entries[i].usable)
                read_application(package, &manifest, &manifest.entries[i]);
    manifest_free(&manifest);
    problems_free(&problems);
    json_decref(root);
    list_and_read(package, "applications");
    list_and_read(package, "files");
    package_close(package);
    return 0;
}
