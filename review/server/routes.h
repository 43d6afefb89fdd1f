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

#endif
