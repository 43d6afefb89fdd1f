/* hostile_client — the hostile clients of tests/e2e_hostile.sh and
 * tests/bench/bench_hostile.sh, on real sockets.  Each mode prints one
 * line of figures; none judges them (the scripts do).
 *
 *   hostile_client flood HOST PORT SECONDS CONNECTIONS [USER [SOURCE [XFF]]]
 *       POST /api/login for USER (default victim) with a wrong password as
 *       fast as CONNECTIONS keep-alive connections from SOURCE allow,
 *       reconnecting when the server closes one.  With XFF, each request
 *       carries "X-Forwarded-For: XFF".
 *       -> "flood: requests N in S s (R/s); status 401 N 429 N other N; reconnects N"
 *
 *   hostile_client slowloris HOST PORT SECONDS CONNECTIONS INTERVAL SOURCE...
 *       Keeps CONNECTIONS connections (bound round robin to the SOURCE
 *       addresses, e.g. 127.0.0.2) sending a request head that never
 *       ends: the request line, then one header line every INTERVAL
 *       seconds.  A connection the server closes is opened again a second
 *       later.  Closed within a second of opening: refused; later: cut.
 *       -> "slowloris: attempts N refused N cut N open_at_end N longest_cut S"
 *
 *   hostile_client probe HOST PORT SECONDS SOURCE PATH
 *       A real client during an attack: one request at a time from SOURCE,
 *       each on a new connection with 5 s to answer, 0.2 s apart.
 *       -> "probe: served N failed N"
 *
 *   hostile_client slow HOST PORT SECONDS INTERVAL SOURCE
 *       One connection sending a header line every INTERVAL seconds for
 *       at most SECONDS.
 *       -> "slow: cut after S s, lines N" or "slow: open after S s, lines N"
 *
 *   hostile_client slowread HOST PORT SECONDS PATH COOKIE
 *       One GET of PATH (with "Cookie: COOKIE") whose answer is read 256
 *       bytes a second, through a 4 KiB receive buffer, for at most
 *       SECONDS: a client that keeps its connection alive by reading a
 *       little before each idle timeout.
 *       -> "slowread: cut after S s, read N bytes", "slowread: open after
 *          S s, read N bytes" or "slowread: whole after S s, read N bytes"
 */
#define _GNU_SOURCE   /* memmem, strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 4096
#define MAX_SOURCES 256
#define RESPONSE_CAP 65536

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void usage(void)
{
    fputs("usage: hostile_client flood HOST PORT SECONDS CONNECTIONS [USER [SOURCE [XFF]]]\n"
          "       hostile_client slowloris HOST PORT SECONDS CONNECTIONS INTERVAL SOURCE...\n"
          "       hostile_client probe HOST PORT SECONDS SOURCE PATH\n"
          "       hostile_client slow HOST PORT SECONDS INTERVAL SOURCE\n"
          "       hostile_client slowread HOST PORT SECONDS PATH COOKIE\n", stderr);
    exit(2);
}

static long number(const char *text, long min, long max)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < min || value > max)
        usage();
    return value;
}

/* A non-blocking socket connecting to host:port from source (NULL: any).
 * -1 when the connect failed at once. */
static int open_connection(const struct sockaddr_in *server, const char *source, bool blocking)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (source) {
        struct sockaddr_in local = {.sin_family = AF_INET};
        if (inet_pton(AF_INET, source, &local.sin_addr) != 1 ||
            bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
            close(fd);
            return -1;
        }
    }
    if (!blocking)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (connect(fd, (const struct sockaddr *)server, sizeof *server) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static bool send_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = send(fd, data, length, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        length -= (size_t)n;
    }
    return true;
}

/* ---- flood ------------------------------------------------------------------------- */

struct flood_connection {
    int fd;
    char response[RESPONSE_CAP];
    size_t used;
};

/* The status of one whole response in r->response, and its length; 0
 * while it is incomplete. */
static size_t whole_response(const struct flood_connection *c, int *status)
{
    const char *end = NULL;
    for (size_t i = 0; i + 3 < c->used; i++)
        if (memcmp(c->response + i, "\r\n\r\n", 4) == 0) {
            end = c->response + i + 4;
            break;
        }
    if (!end)
        return 0;
    size_t head = (size_t)(end - c->response), body = 0;
    for (const char *p = c->response; p < end; p = strstr(p, "\r\n") + 2) {
        if (strncasecmp(p, "Content-Length:", 15) == 0)
            body = strtoul(p + 15, NULL, 10);
        if (p + 2 >= end)
            break;
    }
    if (c->used < head + body)
        return 0;
    *status = atoi(c->response + 9);
    return head + body;
}

static int flood(const struct sockaddr_in *server, double seconds, int count, const char *user,
                 const char *source, const char *xff)
{
    static struct flood_connection connections[MAX_CONNECTIONS];
    char request[1024], body[256], forwarded[128] = "";
    snprintf(body, sizeof body, "{\"user\":\"%s\",\"password\":\"not-the-password\"}", user);
    if (xff)
        snprintf(forwarded, sizeof forwarded, "X-Forwarded-For: %s\r\n", xff);
    int length = snprintf(request, sizeof request,
                          "POST /api/login HTTP/1.1\r\nHost: beishen\r\nContent-Type: application/json\r\n"
                          "%sContent-Length: %zu\r\n\r\n%s", forwarded, strlen(body), body);
    long requests = 0, s401 = 0, s429 = 0, other = 0, reconnects = 0;
    double started = now(), until = started + seconds;
    for (int i = 0; i < count; i++) {
        connections[i].fd = open_connection(server, source, true);
        connections[i].used = 0;
        if (connections[i].fd < 0 || !send_all(connections[i].fd, request, (size_t)length)) {
            fprintf(stderr, "flood: cannot connect\n");
            return 1;
        }
    }
    struct pollfd polls[MAX_CONNECTIONS];
    while (now() < until) {
        for (int i = 0; i < count; i++)
            polls[i] = (struct pollfd){connections[i].fd, POLLIN, 0};
        if (poll(polls, (nfds_t)count, 100) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < count; i++) {
            if (!polls[i].revents)
                continue;
            struct flood_connection *c = &connections[i];
            ssize_t n = recv(c->fd, c->response + c->used, sizeof c->response - c->used, 0);
            bool again = false;
            if (n > 0) {
                c->used += (size_t)n;
                int status;
                size_t whole = whole_response(c, &status);
                if (whole > 0) {
                    requests++;
                    if (status == 401)
                        s401++;
                    else if (status == 429)
                        s429++;
                    else
                        other++;
                    memmove(c->response, c->response + whole, c->used - whole);
                    c->used -= whole;
                    again = true;
                } else if (c->used == sizeof c->response) {
                    n = 0;   /* a response this client cannot take: start over */
                }
            }
            if (n <= 0) {
                close(c->fd);
                reconnects++;
                c->used = 0;
                c->fd = open_connection(server, source, true);
                again = c->fd >= 0;
                if (!again) {
                    fprintf(stderr, "flood: cannot reconnect\n");
                    return 1;
                }
            }
            if (again && !send_all(c->fd, request, (size_t)length)) {
                close(c->fd);
                c->fd = open_connection(server, source, true);
                reconnects++;
                if (c->fd < 0 || !send_all(c->fd, request, (size_t)length))
                    return 1;
            }
        }
    }
    double took = now() - started;
    printf("flood: requests %ld in %.1f s (%.0f/s); status 401 %ld 429 %ld other %ld; reconnects %ld\n",
           requests, took, (double)requests / took, s401, s429, other, reconnects);
    return 0;
}

/* ---- slowloris ------------------------------------------------------------------------ */

struct slow_connection {
    int fd;                       /* -1: closed, reopened at `reopen_at` */
    const char *source;
    double opened_at, next_line_at, reopen_at;
    bool connected;
    long lines;
};

static void slow_open(struct slow_connection *c, const struct sockaddr_in *server, double t,
                      long *attempts)
{
    c->fd = open_connection(server, c->source, false);
    c->opened_at = t;
    c->connected = false;
    c->lines = 0;
    (*attempts)++;
    if (c->fd < 0)
        c->reopen_at = t + 1;
}

/* Sends the next piece of the head: the request line first, then one
 * header line.  false when the server has closed the connection. */
static bool slow_send(struct slow_connection *c)
{
    char line[64];
    if (c->lines == 0)
        snprintf(line, sizeof line, "GET /api/session HTTP/1.1\r\nHost: beishen\r\n");
    else
        snprintf(line, sizeof line, "X-Slow-%ld: %ld\r\n", c->lines, c->lines);
    c->lines++;
    return send_all(c->fd, line, strlen(line));
}

static int slowloris(const struct sockaddr_in *server, double seconds, int count, double interval,
                     char **sources, int source_count)
{
    static struct slow_connection connections[MAX_CONNECTIONS];
    long attempts = 0, refused = 0, cut = 0;
    double longest_cut = 0, started = now(), until = started + seconds;
    for (int i = 0; i < count; i++) {
        connections[i] = (struct slow_connection){.fd = -1, .source = sources[i % source_count]};
        slow_open(&connections[i], server, started, &attempts);
    }
    struct pollfd polls[MAX_CONNECTIONS];
    for (;;) {
        double t = now();
        if (t >= until)
            break;
        for (int i = 0; i < count; i++) {
            struct slow_connection *c = &connections[i];
            polls[i] = (struct pollfd){c->fd, (short)(c->connected ? POLLIN : POLLOUT), 0};
        }
        if (poll(polls, (nfds_t)count, 50) < 0 && errno != EINTR)
            break;
        t = now();
        for (int i = 0; i < count; i++) {
            struct slow_connection *c = &connections[i];
            if (c->fd < 0) {
                if (t >= c->reopen_at)
                    slow_open(c, server, t, &attempts);
                continue;
            }
            bool closed = false;
            if (!c->connected && polls[i].revents) {
                int error = 0;
                socklen_t size = sizeof error;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size);
                if (error) {
                    closed = true;
                } else {
                    c->connected = true;
                    closed = !slow_send(c);
                    c->next_line_at = t + interval;
                }
            } else if (c->connected && polls[i].revents) {
                char buffer[4096];
                ssize_t n = recv(c->fd, buffer, sizeof buffer, MSG_DONTWAIT);
                closed = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
                /* An answer (an error page) ends it just the same. */
                closed = closed || n > 0;
            } else if (c->connected && t >= c->next_line_at) {
                closed = !slow_send(c);
                c->next_line_at = t + interval;
            }
            if (closed) {
                double lifetime = t - c->opened_at;
                if (lifetime < 1.0) {
                    refused++;
                } else {
                    cut++;
                    if (lifetime > longest_cut)
                        longest_cut = lifetime;
                }
                close(c->fd);
                c->fd = -1;
                c->reopen_at = t + 1;
            }
        }
    }
    int open = 0;
    for (int i = 0; i < count; i++) {
        if (connections[i].fd >= 0) {
            open += connections[i].connected;
            close(connections[i].fd);
        }
    }
    printf("slowloris: attempts %ld refused %ld cut %ld open_at_end %d longest_cut %.1f\n", attempts,
           refused, cut, open, longest_cut);
    return 0;
}

/* ---- probe and slow -------------------------------------------------------------------- */

/* One request on a new connection; true for a 2xx answer within 5 s. */
static bool probe_once(const struct sockaddr_in *server, const char *source, const char *path)
{
    int fd = open_connection(server, source, false);
    if (fd < 0)
        return false;
    double deadline = now() + 5;
    struct pollfd p = {fd, POLLOUT, 0};
    if (poll(&p, 1, 5000) != 1) {
        close(fd);
        return false;
    }
    int error = 0;
    socklen_t size = sizeof error;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
    char request[512], response[256];
    snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: beishen\r\nConnection: close\r\n\r\n", path);
    if (error || !send_all(fd, request, strlen(request))) {
        close(fd);
        return false;
    }
    size_t used = 0;
    while (used < 12) {
        int left = (int)((deadline - now()) * 1000);
        p = (struct pollfd){fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, left) != 1)
            break;
        ssize_t n = recv(fd, response + used, sizeof response - 1 - used, MSG_DONTWAIT);
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    response[used] = '\0';
    return used >= 12 && strncmp(response, "HTTP/1.1 2", 10) == 0;
}

static int probe(const struct sockaddr_in *server, double seconds, const char *source, const char *path)
{
    long served = 0, failed = 0;
    double until = now() + seconds;
    while (now() < until) {
        if (probe_once(server, source, path))
            served++;
        else
            failed++;
        nanosleep(&(struct timespec){0, 200000000}, NULL);
    }
    printf("probe: served %ld failed %ld\n", served, failed);
    return 0;
}

static int slow(const struct sockaddr_in *server, double seconds, double interval, const char *source)
{
    struct slow_connection c = {.fd = -1, .source = source};
    long attempts = 0;
    double started = now();
    slow_open(&c, server, started, &attempts);
    if (c.fd < 0) {
        printf("slow: cannot connect\n");
        return 1;
    }
    struct pollfd p = {c.fd, POLLOUT, 0};
    if (poll(&p, 1, 5000) != 1) {
        printf("slow: cannot connect\n");
        return 1;
    }
    c.connected = true;
    bool closed = !slow_send(&c);
    while (!closed && now() - started < seconds) {
        p = (struct pollfd){c.fd, POLLIN, 0};
        int ready = poll(&p, 1, (int)(interval * 1000));
        if (ready > 0) {
            char buffer[4096];
            ssize_t n = recv(c.fd, buffer, sizeof buffer, MSG_DONTWAIT);
            closed = n >= 0 || (errno != EAGAIN && errno != EINTR);
        } else {
            closed = !slow_send(&c);
        }
    }
    printf("slow: %s after %.1f s, lines %ld\n", closed ? "cut" : "open", now() - started, c.lines);
    close(c.fd);
    return 0;
}

/* ---- slowread ------------------------------------------------------------------------ */

/* True once `data` holds a whole answer: its head, and as many body bytes
 * as its Content-Length says. */
static bool answer_whole(const char *data, size_t length)
{
    const char *end = memmem(data, length, "\r\n\r\n", 4);
    if (!end)
        return false;
    const char *field = strcasestr(data, "\r\nContent-Length:");
    size_t head = (size_t)(end - data) + 4;
    return field && field < end && length >= head + strtoull(field + 17, NULL, 10);
}

static int slowread(const struct sockaddr_in *server, double seconds, const char *path, const char *cookie)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;   /* before connect: it sets the window the server may fill */
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) != 0 ||
        connect(fd, (const struct sockaddr *)server, sizeof *server) != 0) {
        printf("slowread: cannot connect\n");
        return 1;
    }
    char request[2048];
    int length = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: localhost\r\nCookie: %s\r\n\r\n",
                          path, cookie);
    if (length < 0 || (size_t)length >= sizeof request || !send_all(fd, request, (size_t)length)) {
        printf("slowread: cannot send\n");
        return 1;
    }
    static char answer[1 << 24];
    size_t used = 0;
    double started = now();
    const char *ending = "open";
    while (now() - started < seconds) {
        ssize_t n = recv(fd, answer + used, used + 256 <= sizeof answer ? 256 : sizeof answer - used, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ending = "cut";
            break;
        }
        used += (size_t)n;
        if (answer_whole(answer, used)) {
            ending = "whole";
            break;
        }
        struct timespec second = {1, 0};
        nanosleep(&second, NULL);
    }
    printf("slowread: %s after %.1f s, read %zu bytes\n", ending, now() - started, used);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5)
        usage();
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in server = {.sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)number(argv[3], 1, 65535))};
    if (inet_pton(AF_INET, argv[2], &server.sin_addr) != 1)
        usage();
    double seconds = (double)number(argv[4], 1, 3600);
    const char *mode = argv[1];
    if (strcmp(mode, "flood") == 0 && argc >= 6 && argc <= 9)
        return flood(&server, seconds, (int)number(argv[5], 1, MAX_CONNECTIONS),
                     argc > 6 ? argv[6] : "victim", argc > 7 ? argv[7] : NULL, argc > 8 ? argv[8] : NULL);
    if (strcmp(mode, "slowloris") == 0 && argc >= 8 && argc - 7 <= MAX_SOURCES)
        return slowloris(&server, seconds, (int)number(argv[5], 1, MAX_CONNECTIONS),
                         (double)number(argv[6], 1, 600), argv + 7, argc - 7);
    if (strcmp(mode, "probe") == 0 && argc == 7)
        return probe(&server, seconds, argv[5], argv[6]);
    if (strcmp(mode, "slow") == 0 && argc == 7)
        return slow(&server, seconds, (double)number(argv[5], 1, 600), argv[6]);
    if (strcmp(mode, "slowread") == 0 && argc == 7)
        return slowread(&server, seconds, argv[5], argv[6]);
    usage();
    return 2;
}
