/* package — directory and zip export packages behind one interface. */
#include "ingest/package.h"
#include "core/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

struct package {
    char path[PATH_MAX];        /* as given, for messages */
    char root[PATH_MAX];        /* realpath of the directory */
    zip_t *zip;                 /* non-NULL for a .zip package */
};

const char *package_path(const struct package *package) { return package->path; }

static unsigned long long little_endian(const unsigned char *p, int bytes)
{
    unsigned long long value = 0;
    for (int i = bytes - 1; i >= 0; i--)
        value = value << 8 | p[i];
    return value;
}

/* The number of entries a zip's end-of-central-directory record (or its
 * zip64 record) declares, read before libzip reads the whole central
 * directory into memory (110 MB for 300,000 entries).  -1 when it cannot
 * be found: libzip then decides. */
static long long zip_declared_entries(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    long long entries = -1;
    enum { TAIL = 22 + 65535 };              /* the record and the longest comment */
    unsigned char *tail = malloc(TAIL);
    if (tail && fstat(fd, &st) == 0 && st.st_size >= 22) {
        off_t start = st.st_size > TAIL ? st.st_size - TAIL : 0;
        ssize_t got = pread(fd, tail, (size_t)(st.st_size - start), start);
        for (ssize_t i = got - 22; got >= 22 && i >= 0; i--) {
            if (memcmp(tail + i, "PK\5\6", 4) != 0)
                continue;
            entries = (long long)little_endian(tail + i + 10, 2);
            unsigned char z64[56];
            /* zip64: a locator just before the record points to the zip64 record */
            if (entries == 0xFFFF && i >= 20 && memcmp(tail + i - 20, "PK\6\7", 4) == 0 &&
                pread(fd, z64, sizeof z64, (off_t)little_endian(tail + i - 20 + 8, 8)) == (ssize_t)sizeof z64 &&
                memcmp(z64, "PK\6\6", 4) == 0)
                entries = (long long)little_endian(z64 + 32, 8);
            break;
        }
    }
    free(tail);
    close(fd);
    return entries;
}

int package_open(const char *path, struct package **out, struct error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return error_set(err, ERROR_IO, "%s: %s", path, strerror(errno));
    struct package *package = calloc(1, sizeof *package);
    if (!package)
        return error_set(err, ERROR_INTERNAL, "out of memory");
    snprintf(package->path, sizeof package->path, "%s", path);
    if (S_ISDIR(st.st_mode)) {
        if (!realpath(path, package->root)) {
            free(package);
            return error_set(err, ERROR_IO, "%s: %s", path, strerror(errno));
        }
    } else {
        long long declared = zip_declared_entries(path);
        if (declared > PACKAGE_MAX_MEMBERS) {
            free(package);
            return error_set(err, ERROR_INVALID, "%s: %lld entries in the zip archive, limit %d", path,
                             declared, PACKAGE_MAX_MEMBERS);
        }
        int code = 0;
        package->zip = zip_open(path, ZIP_RDONLY, &code);
        if (!package->zip) {
            zip_error_t zip_error;
            zip_error_init_with_code(&zip_error, code);
            error_set(err, ERROR_INVALID, "%s: not a directory or a readable zip archive: %s", path,
                      zip_error_strerror(&zip_error));
            zip_error_fini(&zip_error);
            free(package);
            return -1;
        }
        zip_int64_t entries = zip_get_num_entries(package->zip, 0);
        if (entries > PACKAGE_MAX_MEMBERS) {
            error_set(err, ERROR_INVALID, "%s: %lld entries in the zip archive, limit %d", path,
                      (long long)entries, PACKAGE_MAX_MEMBERS);
            zip_discard(package->zip);
            free(package);
            return -1;
        }
    }
    *out = package;
    return 0;
}

void package_close(struct package *package)
{
    if (!package)
        return;
    if (package->zip)
        zip_discard(package->zip);
    free(package);
}

bool package_member_path_is_safe(const char *member)
{
    if (!member[0] || member[0] == '/' || strchr(member, '\\'))
        return false;
    const char *segment = member;
    for (;;) {
        const char *end = strchr(segment, '/');
        size_t length = end ? (size_t)(end - segment) : strlen(segment);
        if (length == 0 || (length == 1 && segment[0] == '.') ||
            (length == 2 && segment[0] == '.' && segment[1] == '.'))
            return false;
        if (!end)
            return true;
        segment = end + 1;
    }
}

static enum package_status read_from_directory(struct package *package, const char *member,
                                               size_t max_bytes, char **data, size_t *length,
                                               struct error *err)
{
    char full[PATH_MAX * 2], resolved[PATH_MAX];
    snprintf(full, sizeof full, "%s/%s", package->root, member);
    if (!realpath(full, resolved)) {
        if (errno == ENOENT || errno == ENOTDIR) {
            error_set(err, ERROR_NOT_FOUND, "%s: missing from the package", member);
            return PACKAGE_MISSING;
        }
        error_set(err, ERROR_IO, "%s: %s", member, strerror(errno));
        return PACKAGE_ERROR;
    }
    size_t root_length = strlen(package->root);
    if (strncmp(resolved, package->root, root_length) != 0 || resolved[root_length] != '/') {
        error_set(err, ERROR_INVALID, "%s: resolves outside the package", member);
        return PACKAGE_ERROR;
    }
    struct error read_err;
    if (files_read(resolved, max_bytes, data, length, &read_err) != 0) {
        error_set(err, ERROR_IO, "%s: %s", member, strstr(read_err.message, ": ") ?
                  strstr(read_err.message, ": ") + 2 : read_err.message);
        return PACKAGE_ERROR;
    }
    return PACKAGE_OK;
}

static enum package_status read_from_zip(struct package *package, const char *member,
                                         size_t max_bytes, char **data, size_t *length,
                                         struct error *err)
{
    zip_int64_t index = zip_name_locate(package->zip, member, 0);
    if (index < 0) {
        error_set(err, ERROR_NOT_FOUND, "%s: missing from the package", member);
        return PACKAGE_MISSING;
    }
    zip_stat_t st;
    if (zip_stat_index(package->zip, (zip_uint64_t)index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
        error_set(err, ERROR_IO, "%s: unreadable zip entry", member);
        return PACKAGE_ERROR;
    }
    if (st.size > max_bytes) {
        error_set(err, ERROR_INVALID, "%s: %llu bytes, limit %zu", member, (unsigned long long)st.size, max_bytes);
        return PACKAGE_ERROR;
    }
    zip_file_t *file = zip_fopen_index(package->zip, (zip_uint64_t)index, 0);
    char *buffer = file ? malloc((size_t)st.size + 1) : NULL;
    zip_int64_t got = buffer ? zip_fread(file, buffer, st.size) : -1;
    if (file)
        zip_fclose(file);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        free(buffer);
        error_set(err, ERROR_IO, "%s: cannot read zip entry", member);
        return PACKAGE_ERROR;
    }
    buffer[st.size] = '\0';
    *data = buffer;
    *length = (size_t)st.size;
    return PACKAGE_OK;
}

enum package_status package_read(struct package *package, const char *member,
                                 size_t max_bytes, char **data, size_t *length,
                                 struct error *err)
{
    if (!package_member_path_is_safe(member)) {
        error_set(err, ERROR_INVALID, "%s: path leaves the package", member);
        return PACKAGE_ERROR;
    }
    return package->zip ? read_from_zip(package, member, max_bytes, data, length, err)
                        : read_from_directory(package, member, max_bytes, data, length, err);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct name_list {
    char **names;
    size_t count, capacity;
};

static int name_list_add(struct name_list *list, const char *name)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 64;
        char **names = realloc(list->names, capacity * sizeof *names);
        if (!names)
            return -1;
        list->names = names;
        list->capacity = capacity;
    }
    list->names[list->count] = strdup(name);
    return list->names[list->count++] ? 0 : -1;
}

static void name_list_free(struct name_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->names[i]);
    free(list->names);
}

static int list_directory(struct package *package, const char *directory,
                          struct name_list *list, struct error *err)
{
    char full[PATH_MAX * 2];
    snprintf(full, sizeof full, "%s/%s", package->root, directory);
    DIR *dir = opendir(full);
    if (!dir)
        return errno == ENOENT ? 0 : error_set(err, ERROR_IO, "%s: %s", directory, strerror(errno));
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (entry->d_name[0] == '.')
            continue;
        if (list->count >= PACKAGE_MAX_MEMBERS) {
            closedir(dir);
            return error_set(err, ERROR_INVALID, "%s/: more than %d files, the most a package may hold",
                             directory, PACKAGE_MAX_MEMBERS);
        }
        char member[PATH_MAX];
        snprintf(member, sizeof member, "%s/%s", directory, entry->d_name);
        if (name_list_add(list, member) != 0) {
            closedir(dir);
            return error_set(err, ERROR_INTERNAL, "out of memory");
        }
    }
    closedir(dir);
    return 0;
}

static int list_zip(struct package *package, const char *directory,
                    struct name_list *list, struct error *err)
{
    size_t prefix = strlen(directory);
    zip_int64_t entries = zip_get_num_entries(package->zip, 0);
    for (zip_int64_t i = 0; i < entries; i++) {
        const char *name = zip_get_name(package->zip, (zip_uint64_t)i, 0);
        /* Direct children only: "applications/x.json", not deeper, not the directory entry. */
        if (!name || strncmp(name, directory, prefix) != 0 || name[prefix] != '/' ||
            !name[prefix + 1] || strchr(name + prefix + 1, '/'))
            continue;
        if (name_list_add(list, name) != 0)
            return error_set(err, ERROR_INTERNAL, "out of memory");
    }
    return 0;
}

int package_list(struct package *package, const char *directory,
                 void (*visit)(const char *member, void *context), void *context,
                 struct error *err)
{
    struct name_list list = {0};
    int rc = package->zip ? list_zip(package, directory, &list, err)
                          : list_directory(package, directory, &list, err);
    if (rc == 0) {
        /* Nothing listed leaves names NULL, which qsort must not be given. */
        if (list.count > 1)
            qsort(list.names, list.count, sizeof list.names[0], compare_strings);
        for (size_t i = 0; i < list.count; i++)
            visit(list.names[i], context);
    }
    name_list_free(&list);
    return rc;
}
