/* stall_probe — how often this machine stops a running thread (make bench).
 *
 * A latency benchmark can only be as steady as the machine under it.  This
 * spins for the given seconds reading the monotonic clock; any gap between
 * two readings longer than a millisecond is time the thread did not run
 * (the kernel or, in a virtual machine, the host took the CPU).  Run one per
 * core on an otherwise idle machine; it prints one line of figures.
 *
 *     build/bench/stall_probe SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 5;
    if (seconds <= 0 || seconds > 600) {
        fprintf(stderr, "usage: stall_probe SECONDS (0-600)\n");
        return 2;
    }
    long over_1ms = 0, over_5ms = 0;
    double lost = 0, longest = 0;
    double start = now_ms(), last = start;
    while (last - start < seconds * 1e3) {
        double t = now_ms(), gap = t - last;
        last = t;
        if (gap > 1) {
            over_1ms++;
            over_5ms += gap > 5;
            lost += gap;
            if (gap > longest)
                longest = gap;
        }
    }
    printf("%ld pauses over 1 ms (%ld over 5 ms), longest %.1f ms, %.2f%% of the time lost\n",
           over_1ms, over_5ms, longest, lost / (seconds * 10));
    return 0;
}
