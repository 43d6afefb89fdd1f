/* error — kinds and messages of failures carried up to the caller. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int error_set(struct error *err, enum error_kind kind, const char *format, ...)
{
    if (err) {
        va_list args;
        va_start(args, format);
        vsnprintf(err->message, sizeof err->message, format, args);
        va_end(args);
        err->kind = kind;
    }
    return -1;
}

int error_prefix(struct error *err, const char *format, ...)
{
    if (err) {
        char prefix[sizeof err->message];
        va_list args;
        va_start(args, format);
        vsnprintf(prefix, sizeof prefix, format, args);
        va_end(args);
        char message[sizeof err->message];
        snprintf(message, sizeof message, "%s", err->message);
        snprintf(err->message, sizeof err->message, "%s: %s", prefix, message);
        if (err->kind == ERROR_NONE)
            err->kind = ERROR_INTERNAL;
    }
    return -1;
}

void error_clear(struct error *err)
{
    if (err) {
        err->kind = ERROR_NONE;
        err->message[0] = '\0';
    }
}

const char *error_kind_name(enum error_kind kind)
{
    switch (kind) {
    case ERROR_NONE: return "";
    case ERROR_NOT_FOUND: return "not found";
    case ERROR_INVALID: return "invalid input";
    case ERROR_BUSY: return "busy";
    case ERROR_CONFLICT: return "conflict";
    case ERROR_IO: return "I/O";
    case ERROR_INTERNAL: return "internal";
    }
    return "internal";
}
