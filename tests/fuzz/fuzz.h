/* fuzz — what the fuzz targets share.  A target checks what its module
 * promises about any input (no crash, no leak, and the properties its
 * header states); FUZZ_CHECK aborts on a broken promise, which libFuzzer
 * records as a crash and the replay (replay.c) as a failed file.
 * Header-only. */
#ifndef BEISHEN_FUZZ_H
#define BEISHEN_FUZZ_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(condition, ...)                                                   \
    do {                                                                             \
        if (!(condition)) {                                                          \
            fprintf(stderr, "%s:%d: broken promise: %s: ", __FILE__, __LINE__,       \
                    #condition);                                                     \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
            abort();                                                                 \
        }                                                                            \
    } while (0)

static char *fuzz_scratch;

static inline void fuzz_remove_scratch(void)
{
    char *command = g_strdup_printf("rm -rf '%s'", fuzz_scratch);
    if (system(command) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", fuzz_scratch);
    g_free(command);
}

/* A private scratch directory for this process, on tmpfs when there is
 * one: <base>/beishen-fuzz-<target>-<pid>, made afresh and removed at
 * exit.  libFuzzer leaves without running atexit handlers when it stops
 * at a crash (and after a run on single files), so each target also
 * removes the directories of its processes that are gone.  The caller
 * frees the path. */
static inline char *fuzz_scratch_directory(const char *target)
{
    const char *base = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir();
    char *prefix = g_strdup_printf("beishen-fuzz-%s-", target);
    GDir *dir = g_dir_open(base, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
        if (strncmp(name, prefix, strlen(prefix)) != 0)
            continue;
        long pid = strtol(name + strlen(prefix), NULL, 10);
        if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
            char *command = g_strdup_printf("rm -rf '%s/%s'", base, name);
            if (system(command) != 0)
                fprintf(stderr, "fuzz: could not remove %s/%s\n", base, name);
            g_free(command);
        }
    }
    if (dir)
        g_dir_close(dir);
    char *path = g_strdup_printf("%s/%s%ld", base, prefix, (long)getpid());
    char *command = g_strdup_printf("rm -rf '%s'", path);
    FUZZ_CHECK(system(command) == 0 && g_mkdir_with_parents(path, 0700) == 0, "scratch %s", path);
    g_free(command);
    g_free(prefix);
    fuzz_scratch = g_strdup(path);
    atexit(fuzz_remove_scratch);
    return path;
}

#endif
