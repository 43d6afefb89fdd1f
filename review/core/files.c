/* files — whole-file reads with a size cap, and durable atomic writes. */
#include "core/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>

int files_read(const char *path, size_t max_bytes, char **data, size_t *length,
               struct error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return error_set(err, errno == ENOENT ? ERROR_NOT_FOUND : ERROR_IO, "%s: %s", path,
                         strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return error_set(err, ERROR_INVALID, "%s: not a regular file", path);
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        close(fd);
        return error_set(err, ERROR_INVALID, "%s: %lld bytes, limit %zu", path,
                         (long long)st.st_size, max_bytes);
    }
    size_t size = (size_t)st.st_size;
    char *buffer = malloc(size + 1);
    if (!buffer) {
        close(fd);
        return error_set(err, ERROR_INTERNAL, "%s: out of memory", path);
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(fd, buffer + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(buffer);
            close(fd);
            return error_set(err, ERROR_IO, "%s: read failed", path);
        }
        done += (size_t)n;
    }
    close(fd);
    buffer[size] = '\0';
    *data = buffer;
    *length = size;
    return 0;
}

/* fsync of the directory holding path, so that a rename in it survives a
 * power cut (rename is atomic, but not durable until its directory is). */
static int sync_directory(const char *path, struct error *err)
{
    char *directory = g_path_get_dirname(path);
    int fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0 || fsync(fd) != 0)
        rc = error_set(err, ERROR_IO, "%s: %s", directory, strerror(errno));
    if (fd >= 0)
        close(fd);
    g_free(directory);
    return rc;
}

static void output_free(struct files_output *output)
{
    g_free(output->path);
    g_free(output->temporary);
    output->path = output->temporary = NULL;
    output->file = NULL;
}

int files_output_open(struct files_output *output, const char *path, struct error *err)
{
    output->path = g_strdup(path);
    output->temporary = g_strdup_printf("%s.tmp-XXXXXX", path);
    output->file = NULL;
    int fd = mkstemp(output->temporary);
    /* mkstemp makes the file 0600; a finished output is an ordinary file. */
    if (fd >= 0 && fchmod(fd, 0644) == 0)
        output->file = fdopen(fd, "wb");
    if (!output->file) {
        error_set(err, ERROR_IO, "cannot create %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(output->temporary);
        }
        output_free(output);
        return -1;
    }
    return 0;
}

int files_output_commit(struct files_output *output, struct error *err)
{
    int rc = 0;
    if (fflush(output->file) != 0 || ferror(output->file) || fsync(fileno(output->file)) != 0)
        rc = error_set(err, ERROR_IO, "%s: %s", output->temporary, strerror(errno));
    if (fclose(output->file) != 0 && rc == 0)
        rc = error_set(err, ERROR_IO, "%s: %s", output->temporary, strerror(errno));
    if (rc == 0 && rename(output->temporary, output->path) != 0)
        rc = error_set(err, ERROR_IO, "%s: %s", output->path, strerror(errno));
    if (rc != 0)
        unlink(output->temporary);
    else
        rc = sync_directory(output->path, err);
    output_free(output);
    return rc;
}

void files_output_abort(struct files_output *output)
{
    if (output->file) {
        fclose(output->file);
        unlink(output->temporary);
    }
    output_free(output);
}

int files_write_atomic(const char *path, const void *data, size_t length, struct error *err)
{
    struct files_output output;
    if (files_output_open(&output, path, err) != 0)
        return -1;
    if (length > 0 && fwrite(data, 1, length, output.file) != length) {
        error_set(err, ERROR_IO, "%s: write failed: %s", output.temporary, strerror(errno));
        files_output_abort(&output);
        return -1;
    }
    return files_output_commit(&output, err);
}

int files_each_with_prefix(const char *path_prefix, int (*each)(const char *path, void *data), void *data,
                           struct error *err)
{
    char *directory = g_path_get_dirname(path_prefix);
    char *name_prefix = g_path_get_basename(path_prefix);
    size_t prefix_length = strlen(name_prefix);
    int status = 0;
    DIR *listing = opendir(directory);
    if (!listing) {
        if (errno != ENOENT)
            status = error_set(err, ERROR_IO, "%s: %s", directory, strerror(errno));
    } else {
        struct dirent *entry;
        while (status == 0 && (entry = readdir(listing)) != NULL) {
            if (strncmp(entry->d_name, name_prefix, prefix_length) != 0)
                continue;
            char *path = g_build_filename(directory, entry->d_name, NULL);
            status = each(path, data);
            g_free(path);
        }
        closedir(listing);
    }
    g_free(directory);
    g_free(name_prefix);
    return status;
}

int files_make_directories(const char *path, struct error *err)
{
    if (g_mkdir_with_parents(path, 0755) != 0)
        return error_set(err, ERROR_IO, "%s: %s", path, strerror(errno));
    return 0;
}
