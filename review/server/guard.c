/* guard — per-address caps, the request deadline, eviction near the cap,
 * and client addresses through trusted proxies.  See guard.h. */
#include "server/guard.h"
#include "core/timestamp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#define WATCH_INTERVAL_MS 250      /* how often the deadlines are checked */
#define FORWARDED_VALUES_MAX 16    /* X-Forwarded-For headers looked at */
#define FORWARDED_HOPS_MAX 64      /* entries kept, the nearest */

/* A binary address, IPv4 or IPv6. */
struct address {
    int family;
    unsigned char bytes[16];
};

/* One open connection (MHD's socket context). */
struct watch {
    struct watch *previous, *next;
    struct guard *guard;
    int fd;
    char address[INET6_ADDRSTRLEN];
    bool trusted;                 /* a trusted proxy: no cap */
    bool waiting;                 /* for its (next) request */
    bool cut;                     /* shut down by guard; MHD will close it */
    double since;                 /* monotonic: when it started waiting */
};

struct guard {
    struct guard_options options;
    struct address trusted[GUARD_TRUSTED_MAX];
    size_t trusted_count;
    pthread_mutex_t lock;         /* everything below */
    struct watch *first;
    unsigned open;                /* connections MHD has (cut ones too, until it closes them) */
    unsigned cutting;             /* of those, cut by guard and not yet closed */
    GHashTable *per_address;      /* address text -> open connections (GUINT_TO_POINTER) */
    struct guard_counts counts;
    pthread_cond_t stop;
    bool stopping;
    pthread_t watchdog;
    bool watchdog_started;
};

/* ---- addresses ------------------------------------------------------------------ */

static bool parse_address(const char *text, struct address *out)
{
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, text, out->bytes) == 1) {
        out->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, out->bytes) == 1) {
        out->family = AF_INET6;
        return true;
    }
    return false;
}

static bool socket_address(const struct sockaddr *address, struct address *out)
{
    memset(out, 0, sizeof *out);
    if (!address)
        return false;
    if (address->sa_family == AF_INET) {
        out->family = AF_INET;
        memcpy(out->bytes, &((const struct sockaddr_in *)address)->sin_addr, 4);
        return true;
    }
    if (address->sa_family == AF_INET6) {
        out->family = AF_INET6;
        memcpy(out->bytes, &((const struct sockaddr_in6 *)address)->sin6_addr, 16);
        return true;
    }
    return false;
}

static void address_text(const struct address *address, char *out, size_t size)
{
    if (!address->family || !inet_ntop(address->family, address->bytes, out, (socklen_t)size))
        snprintf(out, size, "?");
}

static bool is_trusted(const struct guard *guard, const struct address *address)
{
    for (size_t i = 0; i < guard->trusted_count; i++)
        if (guard->trusted[i].family == address->family &&
            memcmp(guard->trusted[i].bytes, address->bytes,
                   address->family == AF_INET ? 4 : 16) == 0)
            return true;
    return false;
}

/* ---- cutting connections --------------------------------------------------------- */

/* Shuts the connection's socket down; MHD sees it and closes the
 * connection.  Lock held: the watch, and so the socket, is MHD's still. */
static void cut(struct guard *guard, struct watch *watch)
{
    watch->cut = true;
    guard->cutting++;
    shutdown(watch->fd, SHUT_RDWR);
}

static void *watchdog_main(void *argument)
{
    struct guard *guard = argument;
    pthread_mutex_lock(&guard->lock);
    while (!guard->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += WATCH_INTERVAL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&guard->stop, &guard->lock, &until);
        double late = timestamp_monotonic() - guard->options.request_timeout;
        for (struct watch *w = guard->first; w && !guard->stopping; w = w->next) {
            if (w->waiting && !w->cut && w->since < late) {
                cut(guard, w);
                guard->counts.timed_out++;
            }
        }
    }
    pthread_mutex_unlock(&guard->lock);
    return NULL;
}

/* ---- MHD callbacks ------------------------------------------------------------------- */

enum MHD_Result guard_accept(void *cls, const struct sockaddr *socket, socklen_t length)
{
    struct guard *guard = cls;
    (void)length;
    struct address address;
    char text[INET6_ADDRSTRLEN];
    bool known = socket_address(socket, &address);
    address_text(&address, text, sizeof text);
    bool trusted = known && is_trusted(guard, &address);
    pthread_mutex_lock(&guard->lock);
    unsigned held = GPOINTER_TO_UINT(g_hash_table_lookup(guard->per_address, text));
    if (guard->options.per_address && !trusted && held >= guard->options.per_address) {
        guard->counts.refused++;
        pthread_mutex_unlock(&guard->lock);
        return MHD_NO;
    }
    /* At the cap: the connection that has waited longest for its request
     * makes room (MHD closes it in its own thread; its own cap is set
     * higher, so that it keeps accepting meanwhile).  When every connection
     * is busy with a request, the new one is refused. */
    if (guard->open - guard->cutting >= guard->options.connection_limit) {
        struct watch *oldest = NULL;
        for (struct watch *w = guard->first; w; w = w->next)
            if (w->waiting && !w->cut && (!oldest || w->since < oldest->since))
                oldest = w;
        if (!oldest) {
            guard->counts.full++;
            pthread_mutex_unlock(&guard->lock);
            return MHD_NO;
        }
        cut(guard, oldest);
        guard->counts.evicted++;
    }
    pthread_mutex_unlock(&guard->lock);
    return MHD_YES;
}

void guard_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
    struct guard *guard = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *peer =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        struct watch *watch = fd ? calloc(1, sizeof *watch) : NULL;
        if (!watch)
            return;   /* unguarded: MHD's own idle timeout still applies */
        struct address address;
        bool known = socket_address(peer ? peer->client_addr : NULL, &address);
        *watch = (struct watch){.guard = guard, .fd = fd->connect_fd, .waiting = true,
                                .trusted = known && is_trusted(guard, &address),
                                .since = timestamp_monotonic()};
        address_text(&address, watch->address, sizeof watch->address);
        pthread_mutex_lock(&guard->lock);
        watch->next = guard->first;
        if (guard->first)
            guard->first->previous = watch;
        guard->first = watch;
        guard->open++;
        unsigned held = GPOINTER_TO_UINT(g_hash_table_lookup(guard->per_address, watch->address));
        g_hash_table_insert(guard->per_address, g_strdup(watch->address), GUINT_TO_POINTER(held + 1));
        pthread_mutex_unlock(&guard->lock);
        *socket_context = watch;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        struct watch *watch = *socket_context;
        if (!watch)
            return;
        pthread_mutex_lock(&guard->lock);
        if (watch->previous)
            watch->previous->next = watch->next;
        else
            guard->first = watch->next;
        if (watch->next)
            watch->next->previous = watch->previous;
        guard->open--;
        if (watch->cut)
            guard->cutting--;
        unsigned held = GPOINTER_TO_UINT(g_hash_table_lookup(guard->per_address, watch->address));
        if (held > 1)
            g_hash_table_insert(guard->per_address, g_strdup(watch->address), GUINT_TO_POINTER(held - 1));
        else
            g_hash_table_remove(guard->per_address, watch->address);
        pthread_mutex_unlock(&guard->lock);
        free(watch);
        *socket_context = NULL;
    }
}

static struct watch *watch_of(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

void guard_request_received(struct MHD_Connection *connection)
{
    struct watch *watch = watch_of(connection);
    if (!watch)
        return;
    pthread_mutex_lock(&watch->guard->lock);
    watch->waiting = false;
    pthread_mutex_unlock(&watch->guard->lock);
}

void guard_request_done(struct MHD_Connection *connection)
{
    struct watch *watch = watch_of(connection);
    if (!watch)
        return;
    pthread_mutex_lock(&watch->guard->lock);
    watch->waiting = true;
    watch->since = timestamp_monotonic();
    pthread_mutex_unlock(&watch->guard->lock);
}

/* ---- client addresses ------------------------------------------------------------------ */

struct forwarded {
    const char *values[FORWARDED_VALUES_MAX];
    size_t count;
};

static enum MHD_Result collect_forwarded(void *cls, enum MHD_ValueKind kind, const char *key,
                                         const char *value)
{
    struct forwarded *forwarded = cls;
    (void)kind;
    if (key && value && strcasecmp(key, "X-Forwarded-For") == 0) {
        if (forwarded->count == FORWARDED_VALUES_MAX)   /* keep the last ones: the nearest hops */
            memmove(forwarded->values, forwarded->values + 1,
                    sizeof forwarded->values[0] * (FORWARDED_VALUES_MAX - 1));
        else
            forwarded->count++;
        forwarded->values[forwarded->count - 1] = value;
    }
    return MHD_YES;
}

void guard_client_address(const struct guard *guard, struct MHD_Connection *connection,
                          char *out, size_t size)
{
    const union MHD_ConnectionInfo *peer =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct address hop;
    if (!socket_address(peer ? peer->client_addr : NULL, &hop)) {
        snprintf(out, size, "?");
        return;
    }
    struct forwarded forwarded = {.count = 0};
    if (guard && is_trusted(guard, &hop))
        MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_forwarded, &forwarded);
    /* The entries in order, the nearest FORWARDED_HOPS_MAX kept. */
    char entries[FORWARDED_HOPS_MAX][64];
    size_t count = 0;
    for (size_t v = 0; v < forwarded.count; v++) {
        for (const char *p = forwarded.values[v]; *p;) {
            size_t length = strcspn(p, ",");
            const char *a = p, *b = p + length;
            while (a < b && (*a == ' ' || *a == '\t'))
                a++;
            while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
                b--;
            if (count == FORWARDED_HOPS_MAX) {
                memmove(entries, entries + 1, sizeof entries[0] * (FORWARDED_HOPS_MAX - 1));
                count--;
            }
            snprintf(entries[count++], sizeof entries[0], "%.*s",
                     (int)((size_t)(b - a) < sizeof entries[0] - 1 ? (size_t)(b - a) : 0), a);
            p += length + (p[length] == ',');
        }
    }
    /* From the nearest hop outwards: each trusted proxy passes on the
     * address it was given; the first that is not trusted is the client.
     * An entry that is not an address ends it at the hop before. */
    for (size_t i = count; i > 0 && is_trusted(guard, &hop); i--) {
        struct address next;
        if (!parse_address(entries[i - 1], &next))
            break;
        hop = next;
    }
    address_text(&hop, out, size);
}

/* ---- start and stop ---------------------------------------------------------------------- */

unsigned guard_daemon_limit(unsigned connection_limit)
{
    return connection_limit + connection_limit / 2 + 16;
}

int guard_start(const struct guard_options *options, struct guard **out, struct error *err)
{
    if (options->trusted_count > GUARD_TRUSTED_MAX)
        return error_set(err, ERROR_INVALID, "at most %d trusted proxies", GUARD_TRUSTED_MAX);
    struct guard *guard = calloc(1, sizeof *guard);
    if (!guard)
        return error_set(err, ERROR_INTERNAL, "out of memory");
    guard->options = *options;
    guard->options.trusted_proxies = NULL;
    for (size_t i = 0; i < options->trusted_count; i++) {
        if (!parse_address(options->trusted_proxies[i], &guard->trusted[i])) {
            free(guard);
            return error_set(err, ERROR_INVALID, "--trusted-proxy '%.64s' is not an IPv4 or IPv6 address",
                             options->trusted_proxies[i]);
        }
    }
    guard->trusted_count = options->trusted_count;
    pthread_mutex_init(&guard->lock, NULL);
    pthread_cond_init(&guard->stop, NULL);
    guard->per_address = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (options->request_timeout > 0) {
        if (pthread_create(&guard->watchdog, NULL, watchdog_main, guard) != 0) {
            guard_stop(guard);
            return error_set(err, ERROR_INTERNAL, "cannot start a thread");
        }
        guard->watchdog_started = true;
    }
    *out = guard;
    return 0;
}

struct guard_counts guard_counts(struct guard *guard)
{
    pthread_mutex_lock(&guard->lock);
    struct guard_counts counts = guard->counts;
    pthread_mutex_unlock(&guard->lock);
    return counts;
}

void guard_stop(struct guard *guard)
{
    if (!guard)
        return;
    if (guard->watchdog_started) {
        pthread_mutex_lock(&guard->lock);
        guard->stopping = true;
        pthread_cond_signal(&guard->stop);
        pthread_mutex_unlock(&guard->lock);
        pthread_join(guard->watchdog, NULL);
    }
    /* The daemon has stopped: every connection was closed and its watch freed. */
    g_hash_table_destroy(guard->per_address);
    pthread_mutex_destroy(&guard->lock);
    pthread_cond_destroy(&guard->stop);
    free(guard);
}
