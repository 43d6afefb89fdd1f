/* score_load — closed-loop HTTP load of score saves (make bench,
 * tests/bench/bench_scoring.sh): one thread and one keep-alive connection
 * per client, each with its own reviewer's session saving its own sheet
 * over and over, every save naming the version the previous reply gave, so
 * that each one is a real save (a new version, a history row, an audit row)
 * and never a 409.  wrk's Lua cannot carry a version from one reply to the
 * next request of the same connection; this can.
 *
 *     score_load HOST PORT login CLIENTS > SESSIONS
 *     score_load HOST PORT save|session SESSIONS WARMUP SECONDS [INTERVAL_MS]
 *
 * login: CLIENTS has lines "USER PASSWORD APPLICATION"; each user logs in
 * (POST /api/login) and a line "USER TOKEN CSRF APPLICATION" is printed.
 * Sessions live in the database, so they outlast the server they were
 * made on.
 *
 * save: PUT /api/scoring/sheets/{APPLICATION} {"version": N, "items": {…}}
 * with the session cookie and the X-CSRF-Token header; each save is the
 * whole sheet, every item with a level and a score inside that level's
 * band (the scores and one comment change every time), as the
 * workstation's autosave sends it.  The sheet is read once (GET) before
 * the clock starts, for its version and items.  session: GET /api/session
 * with the same cookie (the baseline: a session check, no write).
 *
 * One client per SESSIONS line.  WARMUP seconds of load are not recorded,
 * then SECONDS are.  With INTERVAL_MS each client starts a request every
 * INTERVAL_MS (staggered; at once when the last one came back late)
 * instead of back to back.  A request's latency runs from its first byte
 * sent to the last byte of its reply read.
 *
 * Prints one line:
 *     RESULT REQ/S P50 P99 MAX REQUESTS NON200 CONFLICTS ERRORS SAVED
 * (milliseconds; REQUESTS, NON200 (of which CONFLICTS were 409) and ERRORS
 * (connection failures) of the recorded period; SAVED: 200 replies to
 * saves over warm-up and recorded period together, which is how far the
 * sheets' versions must have moved), and on stderr the first unexpected
 * reply. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#define MAX_CLIENTS 256
#define MAX_ITEMS 26

struct item {
    char code[8];
    char level[32];               /* the band the saves stay in */
    int low, high;
};

struct client {
    char user[80], password[256], application[40];
    char token[80], csrf[80];
    int fd, index;
    long long version;
    struct item items[MAX_ITEMS];
    int item_count;
    char *buffer;                 /* the reply being read */
    size_t size, capacity;
    /* results */
    double *ms;
    size_t count, ms_capacity;
    long non200, conflicts, errors, saved;
    int status;                   /* of the last reply */
    const char *body;             /* of the last reply, in buffer */
    size_t body_length;
};

static const char *host, *port, *mode;
static bool saving;
static double warmup_until, stop_at, interval;
static int client_count;
static atomic_int reported;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int connect_to(void)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found;
    if (getaddrinfo(host, port, &hints, &found) != 0)
        return -1;
    int fd = -1;
    for (struct addrinfo *a = found; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

static int send_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = send(fd, data, length, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

/* A header's value in the reply head (case-insensitive name), or NULL. */
static const char *header(const char *head, size_t head_length, const char *name, size_t *length)
{
    size_t name_length = strlen(name);
    const char *line = memchr(head, '\n', head_length);
    while (line && (size_t)(line - head) < head_length) {
        line++;
        const char *end = memchr(line, '\n', head_length - (size_t)(line - head));
        if (!end)
            break;
        if ((size_t)(end - line) > name_length && strncasecmp(line, name, name_length) == 0 &&
            line[name_length] == ':') {
            const char *value = line + name_length + 1;
            while (*value == ' ')
                value++;
            const char *value_end = end;
            while (value_end > value && (value_end[-1] == '\r' || value_end[-1] == ' '))
                value_end--;
            *length = (size_t)(value_end - value);
            return value;
        }
        line = end;
    }
    return NULL;
}

/* Reads one reply (Content-Length bodies only, as the server sends them)
 * into the client's buffer; 0, or -1 when the connection failed. */
static int read_reply(struct client *c, bool *close_after)
{
    c->size = 0;
    size_t head_length = 0, body_length = 0;
    bool have_head = false;
    for (;;) {
        if (have_head && c->size >= head_length + body_length)
            break;
        if (c->capacity - c->size < 16384) {
            c->capacity = c->capacity ? c->capacity * 2 : 65536;
            c->buffer = realloc(c->buffer, c->capacity);
        }
        ssize_t n = recv(c->fd, c->buffer + c->size, c->capacity - c->size - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        c->size += (size_t)n;
        c->buffer[c->size] = '\0';
        if (!have_head) {
            const char *end = strstr(c->buffer, "\r\n\r\n");
            if (!end)
                continue;
            head_length = (size_t)(end - c->buffer) + 4;
            have_head = true;
            size_t length;
            const char *value = header(c->buffer, head_length, "Content-Length", &length);
            if (!value) {
                fprintf(stderr, "score_load: a reply without Content-Length\n");
                return -1;
            }
            body_length = strtoul(value, NULL, 10);
            value = header(c->buffer, head_length, "Connection", &length);
            *close_after = value && length == 5 && strncasecmp(value, "close", 5) == 0;
        }
    }
    c->status = c->size > 12 && strncmp(c->buffer, "HTTP/1.", 7) == 0 ? atoi(c->buffer + 9) : 0;
    c->body = c->buffer + head_length;
    c->body_length = body_length;
    return 0;
}

/* One request and its reply; reconnects once when the connection is gone
 * (a kept-alive connection the server closed).  Returns 0 or -1. */
static int exchange(struct client *c, const char *request, size_t length)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c->fd < 0 && (c->fd = connect_to()) < 0)
            return -1;
        bool close_after = false;
        if (send_all(c->fd, request, length) == 0 && read_reply(c, &close_after) == 0) {
            if (close_after) {
                close(c->fd);
                c->fd = -1;
            }
            return 0;
        }
        close(c->fd);
        c->fd = -1;
    }
    return -1;
}

static void report_once(const struct client *c, const char *what)
{
    if (atomic_fetch_add(&reported, 1) == 0)
        fprintf(stderr, "score_load: %s %s: %d %.*s\n", c->user, what, c->status,
                (int)(c->body_length < 300 ? c->body_length : 300), c->body ? c->body : "");
}

static int login(struct client *c)
{
    json_t *credentials = json_pack("{s:s, s:s}", "user", c->user, "password", c->password);
    char *body = json_dumps(credentials, JSON_COMPACT);
    json_decref(credentials);
    char request[2048];
    int length = snprintf(request, sizeof request,
        "POST /api/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
        "Content-Length: %zu\r\n\r\n%s", host, strlen(body), body);
    free(body);
    if (exchange(c, request, (size_t)length) != 0 || c->status != 200) {
        report_once(c, "login");
        return -1;
    }
    size_t head = (size_t)(c->body - c->buffer), value_length;
    const char *cookie = header(c->buffer, head, "Set-Cookie", &value_length);
    if (!cookie || strncmp(cookie, "beishen_session=", 16) != 0)
        return -1;
    snprintf(c->token, sizeof c->token, "%.*s", (int)strcspn(cookie + 16, ";\r\n"), cookie + 16);
    json_t *reply = json_loadb(c->body, c->body_length, 0, NULL);
    snprintf(c->csrf, sizeof c->csrf, "%s", json_string_value(json_object_get(reply, "csrf")) ?
             json_string_value(json_object_get(reply, "csrf")) : "");
    json_decref(reply);
    return c->csrf[0] ? 0 : -1;
}

/* The sheet's version, and each item with the band of 優良 (or the
 * first level) for the saves to stay in. */
static int read_sheet(struct client *c)
{
    char request[1024];
    int length = snprintf(request, sizeof request,
        "GET /api/scoring/sheets/%s HTTP/1.1\r\nHost: %s\r\nCookie: beishen_session=%s\r\n\r\n",
        c->application, host, c->token);
    if (exchange(c, request, (size_t)length) != 0 || c->status != 200) {
        report_once(c, "GET sheet");
        return -1;
    }
    json_t *sheet = json_loadb(c->body, c->body_length, 0, NULL);
    c->version = json_integer_value(json_object_get(sheet, "version"));
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(sheet, "rubric"), i, item) {
        if (c->item_count == MAX_ITEMS)
            break;
        struct item *it = &c->items[c->item_count++];
        snprintf(it->code, sizeof it->code, "%s", json_string_value(json_object_get(item, "code")));
        json_t *levels = json_object_get(item, "levels");
        json_t *level = json_array_size(levels) > 1 ? json_array_get(levels, 1) : json_array_get(levels, 0);
        snprintf(it->level, sizeof it->level, "%s", json_string_value(json_object_get(level, "name")));
        it->low = (int)json_integer_value(json_object_get(level, "low"));
        it->high = (int)json_integer_value(json_object_get(level, "high"));
    }
    json_decref(sheet);
    return c->item_count > 0 ? 0 : -1;
}

static void record(struct client *c, double ms)
{
    if (c->count == c->ms_capacity) {
        c->ms_capacity = c->ms_capacity ? c->ms_capacity * 2 : 4096;
        c->ms = realloc(c->ms, c->ms_capacity * sizeof *c->ms);
    }
    c->ms[c->count++] = ms;
}

static void *run(void *argument)
{
    struct client *c = argument;
    char *request = malloc(16384), body[8192];
    char comment[64];
    /* The paced schedule (INTERVAL_MS), staggered over the clients. */
    double next = now() + interval * (double)c->index / client_count;
    for (long n = 0;; n++) {
        if (interval > 0) {
            double wait = next - now();
            if (wait > 0) {
                struct timespec t = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
                while (nanosleep(&t, &t) != 0 && errno == EINTR)
                    ;
            }
            next += interval;
        }
        double started = now();
        if (started >= stop_at)
            break;
        int length;
        if (saving) {
            size_t used = (size_t)snprintf(body, sizeof body, "{\"version\":%lld,\"items\":{", c->version);
            for (int i = 0; i < c->item_count; i++) {
                const struct item *it = &c->items[i];
                int span = it->high - it->low + 1;
                comment[0] = '\0';
                if (i == 0)
                    snprintf(comment, sizeof comment, ",\"comment\":\"save %ld\"", n);
                used += (size_t)snprintf(body + used, sizeof body - used,
                    "%s\"%s\":{\"level\":\"%s\",\"score\":%d%s}", i ? "," : "", it->code, it->level,
                    it->low + (int)((n + i) % (span > 0 ? span : 1)), comment);
            }
            used += (size_t)snprintf(body + used, sizeof body - used, "}}");
            length = snprintf(request, 16384,
                "PUT /api/scoring/sheets/%s HTTP/1.1\r\nHost: %s\r\nCookie: beishen_session=%s\r\n"
                "X-CSRF-Token: %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                c->application, host, c->token, c->csrf, used, body);
        } else {
            length = snprintf(request, 16384,
                "GET /api/session HTTP/1.1\r\nHost: %s\r\nCookie: beishen_session=%s\r\n\r\n",
                host, c->token);
        }
        int rc = exchange(c, request, (size_t)length);
        double ms = (now() - started) * 1000;
        bool counted = started >= warmup_until;
        if (rc != 0) {
            c->errors += counted;
            report_once(c, "connection");
            usleep(10000);
            continue;
        }
        if (counted)
            record(c, ms);
        if (c->status != 200) {
            c->non200 += counted;
            c->conflicts += counted && c->status == 409;
            report_once(c, mode);
        }
        if (saving && (c->status == 200 || c->status == 409)) {
            json_t *reply = json_loadb(c->body, c->body_length, 0, NULL);
            json_t *sheet = c->status == 200 ? reply : json_object_get(reply, "sheet");
            if (json_is_integer(json_object_get(sheet, "version")))
                c->version = json_integer_value(json_object_get(sheet, "version"));
            json_decref(reply);
            c->saved += c->status == 200;
        }
    }
    free(request);
    return NULL;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    bool logging_in = argc == 5 && strcmp(argv[3], "login") == 0;
    if (!logging_in && ((argc != 7 && argc != 8) ||
                        (strcmp(argv[3], "save") != 0 && strcmp(argv[3], "session") != 0))) {
        fprintf(stderr, "usage: score_load HOST PORT login CLIENTS\n"
                        "       score_load HOST PORT save|session SESSIONS WARMUP SECONDS [INTERVAL_MS]\n");
        return 2;
    }
    host = argv[1];
    port = argv[2];
    mode = argv[3];
    saving = strcmp(mode, "save") == 0;
    double warmup = logging_in ? 0 : atof(argv[5]), seconds = logging_in ? 1 : atof(argv[6]);
    interval = argc == 8 ? atof(argv[7]) / 1000 : 0;
    FILE *file = fopen(argv[4], "r");
    if (!file || warmup < 0 || seconds <= 0 || interval < 0) {
        fprintf(stderr, "score_load: cannot read %s, or bad seconds\n", argv[4]);
        return 2;
    }
    static struct client clients[MAX_CLIENTS];
    int n = 0;
    char line[1024];
    while (n < MAX_CLIENTS && fgets(line, sizeof line, file)) {
        struct client *c = &clients[n];
        int fields = logging_in
            ? sscanf(line, "%79s %255s %39s", c->user, c->password, c->application)
            : sscanf(line, "%79s %79s %79s %39s", c->user, c->token, c->csrf, c->application);
        if (fields == (logging_in ? 3 : 4)) {
            c->fd = -1;
            c->index = n++;
        }
    }
    fclose(file);
    client_count = n;
    for (int i = 0; i < n; i++) {
        struct client *c = &clients[i];
        if (logging_in ? login(c) != 0 : saving && read_sheet(c) != 0) {
            fprintf(stderr, "score_load: %s could not start\n", c->user);
            return 1;
        }
        if (logging_in)
            printf("%s %s %s %s\n", c->user, c->token, c->csrf, c->application);
    }
    if (logging_in)
        return 0;
    warmup_until = now() + warmup;
    stop_at = warmup_until + seconds;
    pthread_t threads[MAX_CLIENTS];
    for (int i = 0; i < n; i++)
        pthread_create(&threads[i], NULL, run, &clients[i]);
    size_t total = 0;
    long non200 = 0, conflicts = 0, errors = 0, saved = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
        total += clients[i].count;
        non200 += clients[i].non200;
        conflicts += clients[i].conflicts;
        errors += clients[i].errors;
        saved += clients[i].saved;
    }
    double *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        memcpy(all + k, clients[i].ms, clients[i].count * sizeof *all);
        k += clients[i].count;
    }
    qsort(all, total, sizeof *all, compare_doubles);
    double p50 = total ? all[total / 2] : 0, p99 = total ? all[(size_t)((double)total * 0.99)] : 0;
    printf("RESULT %.0f %.3f %.3f %.3f %zu %ld %ld %ld %ld\n", (double)total / seconds, p50, p99,
           total ? all[total - 1] : 0, total, non200, conflicts, errors, saved);
    for (int i = 0; i < n; i++) {
        if (clients[i].fd >= 0)
            close(clients[i].fd);
        free(clients[i].buffer);
        free(clients[i].ms);
    }
    free(all);
    return 0;
}
