/* routes — from a request's method and path to its handler (handlers.h),
 * with the session, role, CSRF and path-parameter checks every route
 * needs.  The table is constant; thread-safe. */
#ifndef BEISHEN_ROUTES_H
#define BEISHEN_ROUTES_H

#include "server/http.h"

/* Answers the call: 404 for an unknown path, 401 without a session on a
 * private /api/ path, 405 with Allow for a known path and wrong method,
 * 403 for a missing role or CSRF header, 400 for a bad parameter, else
 * what the route's handler answers.  call->store is open (and a GET's read
 * transaction begun) by the caller. */
enum MHD_Result routes_dispatch(struct http_call *call, const char *method);

/* What a method and a raw request path select, before any session is
 * looked at: pure, no store, no connection (routes_dispatch answers from
 * it; the fuzzer calls it on arbitrary paths).  `path` starts with '/'. */
struct routes_match {
    int route;                    /* index in the table; -1 when none takes the method */
    int flags;                    /* the route's ROUTE_* flags, 0 when route is -1 */
    bool path_known;              /* some route has this path (else 404) */
    char allow[64];               /* the methods the path takes, "GET, POST" (for 405) */
    size_t param_count;           /* {placeholders} of the route */
    bool params_ok;               /* every placeholder decoded (else 400) */
    char params[HTTP_SEGMENTS_MAX][HTTP_PARAM_CAP + 1];   /* decoded, in order */
};
void routes_match(const char *method, const char *path, struct routes_match *match);

#endif
