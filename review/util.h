/* util — small helpers every module shares: error messages carried up to the
 * caller, UTF-8 checks and character counting, SHA-256, national-ID masking,
 * and reading whole files with a hard size cap.  Owns nothing global. */
#ifndef BEISHEN_UTIL_H
#define BEISHEN_UTIL_H

#include <stddef.h>
#include <stdbool.h>

/* An error message filled by the function that failed and read by its caller. */
struct error {
    char message[1024];
};

/* printf-style; always returns -1 so callers can `return error_set(...)`. */
int error_set(struct error *err, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Number of Unicode characters in a valid UTF-8 string of `length` bytes. */
size_t utf8_count(const char *text, size_t length);
/* True when `text` (length bytes) is valid UTF-8 and has no NUL byte. */
bool utf8_valid(const char *text, size_t length);

/* True when valid UTF-8 `text` is in Unicode Normalization Form C. */
bool utf8_is_nfc(const char *text, size_t length);

/* Lowercase hex SHA-256 of the bytes into hex[65]. */
void sha256_hex(const void *data, size_t length, char hex[65]);
bool is_sha256_hex(const char *text);

/* "A123456789" -> "A*****6789" into out (at least 16 bytes).  Anything that
 * is not a well-formed ID is masked entirely. */
void mask_national_id(const char *national_id, char *out, size_t out_size);

/* Reads a whole file into a malloc'd, NUL-terminated buffer; refuses files
 * larger than max_bytes.  Caller frees *data. */
int read_file(const char *path, size_t max_bytes, char **data, size_t *length,
              struct error *err);

/* Writes `length` bytes to path atomically: a temporary file in the same
 * directory, fsync'd then renamed, so the file appears whole or not at all. */
int write_file_atomic(const char *path, const void *data, size_t length,
                      struct error *err);

/* mkdir -p */
int make_directories(const char *path, struct error *err);

/* Monotonic clock in seconds. */
double now_seconds(void);

#endif
