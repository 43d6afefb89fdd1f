/* replay — a main() for a fuzz target built without libFuzzer (gcc, as
 * make test builds it): runs LLVMFuzzerTestOneInput once on each file
 * named on the command line, as libFuzzer would on a corpus.  A target
 * aborts (or a sanitiser stops it) when an input breaks what it checks,
 * so an exit status of 0 means every file passed.  Prints one line per
 * file so that a failure names its input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int main(int argc, char **argv)
{
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        gchar *data = NULL;
        gsize size = 0;
        GError *error = NULL;
        if (!g_file_get_contents(argv[i], &data, &size, &error)) {
            fprintf(stderr, "replay: %s\n", error->message);
            g_error_free(error);
            return 2;
        }
        /* A copy of exactly `size` bytes, so that ASan sees a read past the end. */
        uint8_t *copy = malloc(size ? size : 1);
        if (!copy)
            return 2;
        memcpy(copy, data, size);
        g_free(data);
        LLVMFuzzerTestOneInput(copy, size);
        free(copy);
        printf("ok %s\n", argv[i]);
        fflush(stdout);
    }
    return 0;
}
