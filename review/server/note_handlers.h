/* note_handlers — the workstation's API for reviewers' notes (註記) on an
 * application (routes.c maps the paths).  A reviewer reads their own notes
 * and the shared ones, and adds, edits and deletes their own; the office
 * reads the shared ones; an admin sees none (no application).  Every
 * change needs the CSRF header and is committed with its audit row. */
#ifndef BEISHEN_NOTE_HANDLERS_H
#define BEISHEN_NOTE_HANDLERS_H

#include "server/http.h"

/* GET /api/applicants/{id}/notes */
enum MHD_Result handle_notes(struct http_call *call);
/* POST /api/applicants/{id}/notes  {text, shared, category?, record?} */
enum MHD_Result handle_note_add(struct http_call *call);
/* PUT /api/applicants/{id}/notes/{note}  {version, text, shared} */
enum MHD_Result handle_note_update(struct http_call *call);
/* DELETE /api/applicants/{id}/notes/{note} */
enum MHD_Result handle_note_delete(struct http_call *call);

#endif
