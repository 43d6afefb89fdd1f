/* unit — the tiny check framework of the C unit tests: CHECK prints one
 * line per check, unit_finish prints "N passed, N failed" and returns the
 * exit status. */
#ifndef BEISHEN_UNIT_H
#define BEISHEN_UNIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>

static int unit_passed, unit_failed;

#define CHECK(condition, ...) do {                                   \
        if (condition) { unit_passed++; printf("ok   "); }           \
        else { unit_failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); } \
        printf(__VA_ARGS__); printf("\n");                           \
    } while (0)

static inline int unit_finish(void)
{
    printf("%d passed, %d failed\n", unit_passed, unit_failed);
    return unit_failed ? 1 : 0;
}

/* Makes $TMPDIR/<name>-XXXXXX (TMPDIR defaults to /tmp) into `directory`
 * and says where; false (after a failed check) when it cannot, or when
 * the path has a quote that shell commands built from it would trip on. */
static inline bool unit_temporary_directory(char *directory, size_t size, const char *name)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(directory, size, "%s/%s-XXXXXX", tmp && tmp[0] ? tmp : "/tmp", name);
    if (!mkdtemp(directory) || strchr(directory, '\'')) {
        CHECK(false, "make a temporary directory under %s", directory);
        return false;
    }
    printf("# output in %s\n", directory);
    return true;
}

/* Runs a shell command and returns its standard output (caller frees);
 * *status gets the exit status. */
static inline char *unit_run(int *status, const char *format, ...) __attribute__((format(printf, 2, 3)));

static inline char *unit_run(int *status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *command = g_strdup_vprintf(format, args);
    va_end(args);
    GString *output = g_string_new(NULL);
    FILE *pipe = popen(command, "r");
    if (pipe) {
        char buffer[4096];
        size_t n;
        while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
            g_string_append_len(output, buffer, (gssize)n);
        int raw = pclose(pipe);
        *status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    } else {
        *status = -1;
    }
    g_free(command);
    return g_string_free(output, FALSE);
}

#endif
