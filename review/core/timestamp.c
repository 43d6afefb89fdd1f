/* timestamp — clocks and time text, on GLib's GDateTime. */
#include "core/timestamp.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <glib.h>

static void format_utc(GDateTime *time, bool milliseconds, char out[TIMESTAMP_SIZE])
{
    char *seconds = g_date_time_format(time, "%Y-%m-%dT%H:%M:%S");
    if (milliseconds)
        snprintf(out, TIMESTAMP_SIZE, "%s.%03dZ", seconds, g_date_time_get_microsecond(time) / 1000);
    else
        snprintf(out, TIMESTAMP_SIZE, "%sZ", seconds);
    g_free(seconds);
}

void timestamp_now(char out[TIMESTAMP_SIZE])
{
    GDateTime *now = g_date_time_new_now_utc();
    format_utc(now, false, out);
    g_date_time_unref(now);
}

void timestamp_now_milliseconds(char out[TIMESTAMP_SIZE])
{
    GDateTime *now = g_date_time_new_now_utc();
    format_utc(now, true, out);
    g_date_time_unref(now);
}

long long timestamp_unix_now(void)
{
    return (long long)(g_get_real_time() / G_USEC_PER_SEC);
}

void timestamp_from_unix(long long seconds, char out[TIMESTAMP_SIZE])
{
    GDateTime *time = g_date_time_new_from_unix_utc((gint64)seconds);
    if (!time) {                       /* outside years 1..9999 */
        snprintf(out, TIMESTAMP_SIZE, "%s", seconds < 0 ? "0001-01-01T00:00:00Z" : "9999-12-31T23:59:59Z");
        return;
    }
    format_utc(time, false, out);
    g_date_time_unref(time);
}

double timestamp_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int timestamp_to_utc(const char *rfc3339, char out[TIMESTAMP_SIZE], struct error *err)
{
    /* GLib reads more of ISO 8601 than RFC 3339 allows; a date alone, or a
     * time without its offset, must not pass as local time. */
    size_t length = rfc3339 ? strlen(rfc3339) : 0;
    bool has_offset = length > 19 && (rfc3339[length - 1] == 'Z' || rfc3339[length - 1] == 'z' ||
                                      rfc3339[length - 6] == '+' || rfc3339[length - 6] == '-');
    GDateTime *time = has_offset ? g_date_time_new_from_iso8601(rfc3339, NULL) : NULL;
    if (!time)
        return error_set(err, ERROR_INVALID, "'%.64s': not an RFC 3339 time", rfc3339 ? rfc3339 : "");
    GDateTime *utc = g_date_time_to_utc(time);
    format_utc(utc, false, out);
    g_date_time_unref(utc);
    g_date_time_unref(time);
    return 0;
}

/* Reads `count` digits at *p into *value and moves past them. */
static bool digits(const char **p, int count, int *value)
{
    *value = 0;
    for (int i = 0; i < count; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return false;
        *value = *value * 10 + (**p - '0');
    }
    return true;
}

int timestamp_parse_filter(const char *text, char out[TIMESTAMP_SIZE], struct error *err)
{
    const char *p = text;
    int year, month, day, hour = 0, minute = 0, second = 0;
    bool ok = digits(&p, 4, &year) && *p++ == '-' && digits(&p, 2, &month) && *p++ == '-' &&
              digits(&p, 2, &day);
    if (ok && (*p == 'T' || *p == ' ')) {
        p++;
        ok = digits(&p, 2, &hour) && *p++ == ':' && digits(&p, 2, &minute);
        if (ok && *p == ':') {
            p++;
            ok = digits(&p, 2, &second);
        }
    }
    if (ok && *p == 'Z')
        p++;
    GDateTime *time = ok && !*p ? g_date_time_new_utc(year, month, day, hour, minute, second) : NULL;
    if (!time)
        return error_set(err, ERROR_INVALID,
                         "'%.64s': not a time (YYYY-MM-DD[THH:MM[:SS]][Z], UTC)", text);
    format_utc(time, true, out);
    g_date_time_unref(time);
    return 0;
}

void timestamp_display(const char *rfc3339, char *out, size_t size)
{
    GDateTime *time = rfc3339 && strlen(rfc3339) > 19 ? g_date_time_new_from_iso8601(rfc3339, NULL)
                                                      : NULL;
    if (!time) {
        snprintf(out, size, "%s", rfc3339 ? rfc3339 : "");
        return;
    }
    char *text = g_date_time_format(time, "%Y-%m-%d %H:%M");
    snprintf(out, size, "%s", text);
    g_free(text);
    g_date_time_unref(time);
}
