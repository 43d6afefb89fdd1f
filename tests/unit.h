/* unit — the tiny check framework of the C unit tests: CHECK prints one
 * line per check, unit_finish prints "N passed, N failed" and returns the
 * exit status. */
#ifndef BEISHEN_UNIT_H
#define BEISHEN_UNIT_H

#include <stdio.h>

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

#endif
