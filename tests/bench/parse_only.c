/* parse_only — benchmark baseline: read and parse every application file of
 * a package with jansson (the same flags ingest uses), and nothing else.
 * usage: parse_only PACKAGE_DIR   prints "files bytes seconds" */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/error.h"
#include "core/files.h"
#include "core/timestamp.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: parse_only PACKAGE_DIR\n");
        return 2;
    }
    char directory[4096];
    snprintf(directory, sizeof directory, "%s/applications", argv[1]);
    DIR *dir = opendir(directory);
    if (!dir) {
        perror(directory);
        return 1;
    }
    double started = timestamp_monotonic();
    long files = 0;
    long long bytes = 0;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (entry->d_name[0] == '.')
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", directory, entry->d_name);
        char *data;
        size_t length;
        struct error err;
        if (files_read(path, 32u << 20, &data, &length, &err) != 0) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        json_error_t json_err;
        json_t *root = json_loadb(data, length, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &json_err);
        if (!root) {
            fprintf(stderr, "%s: %s\n", path, json_err.text);
            return 1;
        }
        json_decref(root);
        free(data);
        files++;
        bytes += (long long)length;
    }
    closedir(dir);
    printf("%ld %lld %.3f\n", files, bytes, timestamp_monotonic() - started);
    return 0;
}
