/* util — shared helpers: errors, UTF-8, SHA-256, masking, file I/O. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>

int error_set(struct error *err, const char *format, ...)
{
    if (err) {
        va_list args;
        va_start(args, format);
        vsnprintf(err->message, sizeof err->message, format, args);
        va_end(args);
    }
    return -1;
}

size_t utf8_count(const char *text, size_t length)
{
    size_t count = 0;
    for (size_t i = 0; i < length; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            count++;
    return count;
}

bool utf8_valid(const char *text, size_t length)
{
    const char *end = NULL;
    if (memchr(text, '\0', length))
        return false;
    return g_utf8_validate(text, (gssize)length, &end) && end == text + length;
}

/* Code points that NFC leaves alone and never composes with a neighbour:
 * the ranges that make up nearly all of an export's text.  Anything else
 * takes the slow path through GLib's normaliser. */
static bool nfc_stable(gunichar c)
{
    return (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || c == '\r' ||
           (c >= 0x3000 && c <= 0x303F) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xFF01 && c <= 0xFF5E) ||
           (c >= 0x20000 && c <= 0x2A6DF);
}

bool utf8_is_nfc(const char *text, size_t length)
{
    const char *end = text + length;
    const char *p = text;
    while (p < end && nfc_stable(g_utf8_get_char(p)))
        p = g_utf8_next_char(p);
    if (p >= end)
        return true;
    char *normal = g_utf8_normalize(text, (gssize)length, G_NORMALIZE_NFC);
    bool same = normal && strlen(normal) == length && memcmp(normal, text, length) == 0;
    g_free(normal);
    return same;
}

void sha256_hex(const void *data, size_t length, char hex[65])
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(sum, data, (gssize)length);
    memcpy(hex, g_checksum_get_string(sum), 64);
    hex[64] = '\0';
    g_checksum_free(sum);
}

bool is_sha256_hex(const char *text)
{
    size_t i = 0;
    for (; text[i]; i++)
        if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
            return false;
    return i == 64;
}

void mask_national_id(const char *national_id, char *out, size_t out_size)
{
    bool well_formed = national_id && strlen(national_id) == 10 &&
                       national_id[0] >= 'A' && national_id[0] <= 'Z';
    for (int i = 1; well_formed && i < 10; i++)
        if (national_id[i] < '0' || national_id[i] > '9')
            well_formed = false;
    if (well_formed)
        snprintf(out, out_size, "%c*****%s", national_id[0], national_id + 6);
    else
        snprintf(out, out_size, "**********");
}

int read_file(const char *path, size_t max_bytes, char **data, size_t *length,
              struct error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return error_set(err, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return error_set(err, "%s: not a regular file", path);
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        close(fd);
        return error_set(err, "%s: %lld bytes, limit %zu", path, (long long)st.st_size, max_bytes);
    }
    size_t size = (size_t)st.st_size;
    char *buffer = malloc(size + 1);
    if (!buffer) {
        close(fd);
        return error_set(err, "%s: out of memory", path);
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(fd, buffer + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(buffer);
            close(fd);
            return error_set(err, "%s: read failed", path);
        }
        done += (size_t)n;
    }
    close(fd);
    buffer[size] = '\0';
    *data = buffer;
    *length = size;
    return 0;
}

int write_file_atomic(const char *path, const void *data, size_t length,
                      struct error *err)
{
    char temporary[4096];
    if (snprintf(temporary, sizeof temporary, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof temporary)
        return error_set(err, "%s: path too long", path);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return error_set(err, "%s: %s", temporary, strerror(errno));
    const char *bytes = data;
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(fd, bytes + done, length - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            unlink(temporary);
            return error_set(err, "%s: write failed: %s", temporary, strerror(errno));
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(temporary);
        return error_set(err, "%s: %s", temporary, strerror(errno));
    }
    if (rename(temporary, path) != 0) {
        unlink(temporary);
        return error_set(err, "%s: %s", path, strerror(errno));
    }
    return 0;
}

int make_directories(const char *path, struct error *err)
{
    char buffer[4096];
    if (snprintf(buffer, sizeof buffer, "%s", path) >= (int)sizeof buffer)
        return error_set(err, "%s: path too long", path);
    for (char *p = buffer + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(buffer, 0755) != 0 && errno != EEXIST)
                return error_set(err, "%s: %s", buffer, strerror(errno));
            *p = saved;
            if (saved == '\0')
                break;
        }
    }
    return 0;
}

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
