/* handlers — the workstation's API, one function per route; routes.c maps
 * methods and paths to them.  Each is called on a worker thread with the
 * request's call (http.h): the session is set on every route but the
 * public ones, CSRF is checked on every change and path parameters are
 * decoded before a handler runs.  Each answers exactly once. */
#ifndef BEISHEN_HANDLERS_H
#define BEISHEN_HANDLERS_H

#include "server/http.h"

/* sessions */
enum MHD_Result handle_login(struct http_call *call);          /* POST /api/login */
enum MHD_Result handle_logout(struct http_call *call);         /* POST /api/logout */
enum MHD_Result handle_session(struct http_call *call);        /* GET /api/session */
enum MHD_Result handle_departments(struct http_call *call);    /* GET /api/departments */

/* applications, as the session may see them */
enum MHD_Result handle_applicants(struct http_call *call);     /* GET /api/applicants */
enum MHD_Result handle_applicant(struct http_call *call);      /* GET /api/applicants/{id} */
/* GET /api/applicants/{id}/overview: 擇要檢視 (counts, averages, missing items) */
enum MHD_Result handle_overview(struct http_call *call);
enum MHD_Result handle_categories(struct http_call *call);     /* …/{id}/categories */
enum MHD_Result handle_category(struct http_call *call);       /* …/{id}/categories/{name} */
enum MHD_Result handle_distribution(struct http_call *call);   /* GET /api/distributions */
enum MHD_Result handle_requirements(struct http_call *call);   /* GET /api/requirements/{department} */
enum MHD_Result handle_file(struct http_call *call);           /* GET /api/files/{sha256} */
enum MHD_Result handle_packet(struct http_call *call);         /* …/{id}/packet.pdf */
enum MHD_Result handle_compare(struct http_call *call);        /* GET /api/compare.pdf */

/* administration (admin accounts only) */
enum MHD_Result handle_users(struct http_call *call);          /* GET /api/users */
enum MHD_Result handle_user_add(struct http_call *call);       /* POST /api/users */
enum MHD_Result handle_user_remove(struct http_call *call);    /* DELETE /api/users/{name} */
enum MHD_Result handle_user_unlock(struct http_call *call);    /* POST /api/users/{name}/unlock */
enum MHD_Result handle_audit(struct http_call *call);          /* GET /api/audit */

/* the browser UI's files, compiled in (server.h) */
enum MHD_Result handle_static(struct http_call *call);

#endif
