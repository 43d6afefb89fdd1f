/* packet — the standardized review packet of one application: a cover, then
 * the items in review order (A 修課紀錄 by course category, B–E outcomes,
 * F–M performances, N–R statements and other uploads) with their
 * attachments drawn in place, an outline and page labels per item.
 *
 * Drawn only from what it is handed: the packet's content as
 * query_packet_content() builds it, and a function that says where an
 * attachment's bytes are.  It never reads the store or an export, so the
 * same content gives the same bytes whoever renders it.
 * Owns nothing between calls.  One thread per process (fonts.h). */
#ifndef BEISHEN_PACKET_H
#define BEISHEN_PACKET_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

struct packet_result {
    int pages;
    long unknown_glyphs;          /* must be 0: every character had a glyph */
    int attachments_unreadable;   /* PDF attachments shown as 附件無法顯示 */
};

/* Fills path (size bytes) with the file that holds the attachment of this
 * SHA-256 and media type. */
typedef void (*packet_file_path_fn)(const char *sha256, const char *media_type, char *path,
                                    size_t size, void *user);

/* Renders the packet of `content` ({application: the JSON of query_show
 * with every category, requirements: the department's list or null, and
 * optionally notes: reviewers' notes as notes_list gives them, printed in
 * a last section}) to output_path, which appears whole or not at all.  An
 * application made blind (query/blind.c) shows its pseudonym on the cover.
 * Borrows content. */
int packet_render(const json_t *content, packet_file_path_fn file_path, void *file_user,
                  const char *output_path, struct packet_result *result, struct error *err);

#endif
