/* timestamp — the one place that reads clocks and reads or writes times.
 *
 * Stored and exchanged times are UTC in ISO 8601 / RFC 3339 text, which
 * sorts as it ages: "2026-03-27T01:00:00Z", or with milliseconds
 * "2026-03-27T01:00:00.000Z" where order within a second matters (the
 * audit log).  Built on GLib's GDateTime; reentrant and thread-safe. */
#ifndef BEISHEN_TIMESTAMP_H
#define BEISHEN_TIMESTAMP_H

#include <stddef.h>

#include "core/error.h"

/* Buffer size that holds every form below. */
#define TIMESTAMP_SIZE 32

/* The current UTC time, "2026-03-27T01:00:00Z". */
void timestamp_now(char out[TIMESTAMP_SIZE]);
/* The same with milliseconds, "2026-03-27T01:00:00.123Z". */
void timestamp_now_milliseconds(char out[TIMESTAMP_SIZE]);
/* Seconds since the Unix epoch. */
long long timestamp_unix_now(void);
/* Seconds since the Unix epoch as UTC text, "2026-03-27T01:00:00Z". */
void timestamp_from_unix(long long seconds, char out[TIMESTAMP_SIZE]);
/* A monotonic clock in seconds, for measuring durations. */
double timestamp_monotonic(void);

/* An RFC 3339 time with any offset ("2025-03-28T09:00:00+08:00") as UTC
 * seconds, "2025-03-28T01:00:00Z".  ERROR_INVALID when it is not one. */
int timestamp_to_utc(const char *rfc3339, char out[TIMESTAMP_SIZE], struct error *err);

/* A time a person types to filter by, read as UTC: "2025-03-01",
 * "2025-03-01T09:30", "2025-03-01 09:30:00", each optionally followed by
 * "Z", as "2025-03-01T09:30:00.000Z" (the audit log's form, so that text
 * order is time order).  ERROR_INVALID when it is not one. */
int timestamp_parse_filter(const char *text, char out[TIMESTAMP_SIZE], struct error *err);

/* An RFC 3339 time as a reviewer reads it, in the time's own offset:
 * "2023-02-21T10:00:00+08:00" -> "2023-02-21 10:00".  Text that is not a
 * time is copied as it is. */
void timestamp_display(const char *rfc3339, char *out, size_t size);

#endif
