/* error — how a failure travels up to the caller: a kind the caller can
 * act on (absent, the input's fault, try again, the disk, a bug) and a
 * message a person can read.  The function that fails fills it; every
 * caller either handles it or passes it up, adding context.
 * Owns nothing; a struct error lives on the caller's stack.  Thread-safe. */
#ifndef BEISHEN_ERROR_H
#define BEISHEN_ERROR_H

enum error_kind {
    ERROR_NONE = 0,        /* nothing failed (a zeroed struct error) */
    ERROR_NOT_FOUND,       /* what was asked for does not exist */
    ERROR_INVALID,         /* the input breaks a rule: the caller's to fix */
    ERROR_BUSY,            /* a lock or a full queue: try again later */
    ERROR_CONFLICT,        /* changed or locked since the caller read it: read it again */
    ERROR_IO,              /* a file, directory or pipe could not be used */
    ERROR_INTERNAL,        /* a database, memory or program failure */
};

struct error {
    enum error_kind kind;
    char message[1024];
};

/* Sets kind and a printf-style message; always returns -1, so that a
 * failing function can `return error_set(err, ERROR_IO, "...")`.  err may
 * be NULL (the caller does not want the details). */
int error_set(struct error *err, enum error_kind kind, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Keeps the kind and puts `prefix: ` in front of the message. */
int error_prefix(struct error *err, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Back to "nothing failed". */
void error_clear(struct error *err);

/* "not found", "invalid input", "busy", "conflict", "I/O", "internal"
 * ("" for none). */
const char *error_kind_name(enum error_kind kind);

#endif
