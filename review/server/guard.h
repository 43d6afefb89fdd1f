/* guard — the workstation's defence against clients that hold connections
 * instead of making requests (slowloris), and who a client is.
 *
 * libmicrohttpd 0.9.75 (Debian bookworm) has an idle timeout
 * (MHD_OPTION_CONNECTION_TIMEOUT), which every byte received starts over,
 * a cap on connections (MHD_OPTION_CONNECTION_LIMIT) and one per address
 * (MHD_OPTION_PER_IP_CONNECTION_LIMIT, the same for every address), but
 * no deadline for finishing a request: 300 connections each sending a
 * header line every 5 s held every slot, and no real client was served.
 * On MHD's hooks (the accept policy callback, the connection
 * notifications and their socket context), guard adds:
 * - a cap per client address on open connections, trusted proxies
 *   exempt (their clients are told apart by X-Forwarded-For);
 * - a deadline for receiving a whole request, head and body: it runs
 *   from the connection's start, or from the end of the previous answer
 *   on a kept-alive connection, so a client that dribbles its head, or
 *   idles between requests, is cut at request_timeout;
 * - at the connection cap, a new connection makes room by cutting the
 *   one that has waited longest for its request, so that connections
 *   that send nothing can never hold every slot; it is refused only when
 *   every connection is busy with a request.  The cap is guard's: MHD's
 *   own must be set higher (guard_daemon_limit), or MHD would stop
 *   accepting at it, and new clients would queue in the kernel's backlog
 *   behind the attackers' connections, never reaching guard.
 * A connection is cut by shutdown() of its socket, which MHD then sees
 * and closes.  That happens under the lock MHD's close notification takes
 * before MHD closes the socket, so a socket number MHD has given back is
 * never touched.  A connection with its request received (being
 * answered, or suspended while its PDF renders) is never cut by guard.
 *
 * Threads: every function may be called from any thread (one mutex); a
 * watchdog thread of guard's own enforces the deadlines. */
#ifndef BEISHEN_GUARD_H
#define BEISHEN_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "core/error.h"

#define GUARD_TRUSTED_MAX 16      /* trusted proxy addresses */

struct guard_options {
    unsigned connection_limit;    /* the daemon's cap on open connections */
    unsigned per_address;         /* open connections one client address may hold; 0: no cap */
    unsigned request_timeout;     /* seconds to send a whole request; 0: no deadline */
    const char *const *trusted_proxies;   /* IPv4 or IPv6 addresses, as text */
    size_t trusted_count;         /* at most GUARD_TRUSTED_MAX */
};

/* What guard has done since it started. */
struct guard_counts {
    unsigned long refused;        /* connections refused: their address was at its cap */
    unsigned long timed_out;      /* cut at the request deadline */
    unsigned long evicted;        /* cut to make room at the connection cap */
    unsigned long full;           /* refused at the cap: every connection busy */
};

struct guard;

/* The cap to give MHD (MHD_OPTION_CONNECTION_LIMIT) for guard's
 * connection_limit: room for the connections cut and not yet closed. */
unsigned guard_daemon_limit(unsigned connection_limit);

/* Checks the options (a trusted proxy that is not an address is
 * ERROR_INVALID) and starts the watchdog.  *out is released by guard_stop,
 * which must come after the daemon has stopped. */
int guard_start(const struct guard_options *options, struct guard **out, struct error *err);
void guard_stop(struct guard *guard);
struct guard_counts guard_counts(struct guard *guard);

/* MHD's accept policy callback (cls: the guard): refuses an address at
 * its cap, and makes room near the connection cap. */
enum MHD_Result guard_accept(void *cls, const struct sockaddr *address, socklen_t length);
/* MHD_OPTION_NOTIFY_CONNECTION's callback (cls: the guard): keeps each
 * connection's socket, address and state in its socket context. */
void guard_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);

/* The connection's request has been received whole (or is being answered
 * before it was): the deadline stops. */
void guard_request_received(struct MHD_Connection *connection);
/* Its answer is done: the deadline for the next request starts. */
void guard_request_done(struct MHD_Connection *connection);

/* The client's address as text ("?" when unknown): the peer's, or, when
 * the peer is a trusted proxy, the nearest address in X-Forwarded-For
 * that is not a trusted proxy (an entry that is not an address ends the
 * search at the hop before it).  X-Forwarded-For from any other peer is
 * ignored: a client cannot choose the address its failed logins count
 * against. */
void guard_client_address(const struct guard *guard, struct MHD_Connection *connection,
                          char *out, size_t size);

#endif
