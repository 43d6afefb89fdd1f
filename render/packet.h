/* packet — the standardized review packet of one application: a cover, then
 * the items in review order (A 修課紀錄 by course category, B–E outcomes,
 * F–M performances, N–R statements and other uploads) with their
 * attachments drawn in place, an outline and page labels per item.
 * Reads the store through query.c only; never reads export files.
 * Owns nothing between calls. */
#ifndef BEISHEN_PACKET_H
#define BEISHEN_PACKET_H

#include <stdbool.h>
#include <sqlite3.h>
#include "store/store.h"

struct packet_result {
    int pages;
    long unknown_glyphs;          /* must be 0: every character had a glyph */
    int attachments_unreadable;   /* PDF attachments shown as 附件無法顯示 */
};

/* Renders the packet of one application to output_path (written to a
 * temporary name and renamed: the file appears whole or not at all). */
int packet_render(struct store *store, sqlite3_int64 application_id, const char *output_path,
                  struct packet_result *result, struct error *err);

#endif
