/* fuzz — what the fuzz targets share.  A target checks what its module
 * promises about any input (no crash, no leak, and the properties its
 * header states); FUZZ_CHECK aborts on a broken promise, which libFuzzer
 * records as a crash and the replay (replay.c) as a failed file.
 * Header-only. */
#ifndef BEISHEN_FUZZ_H
#define BEISHEN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
