/* pdf_jobs — the render helper process, the jobs in flight and the PDF cache.
 *
 * The helper's protocol is fixed-size messages on a SEQPACKET socket pair:
 * a job names its kind, the JSON file it is drawn from and the PDF to
 * write; a reply says whether the PDF was written. */
#define _GNU_SOURCE   /* prctl's PR_SET_PDEATHSIG */
#include "server/pdf_jobs.h"
#include "core/files.h"
#include "core/text.h"
#include "core/timestamp.h"
#include "render/compare_doc.h"
#include "render/packet.h"
#include "render/scoring_doc.h"
#include "server/audit.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PENDING_RENDERS_MAX 8     /* renders queued or running; more answer 503 */
#define CACHE_DIR_CAP 4096
#define JOB_PATH_CAP (CACHE_DIR_CAP + HTTP_CACHE_NAME_CAP)
#define MAX_CONTENT_BYTES ((size_t)256 << 20)
#define CACHE_RUN_PREFIX "run-"         /* <db>.cache/run-XXXXXX: one running server's PDFs */
#define CACHE_LOCK_NAME ".lock"        /* held (flock) by that server while it lives */

struct render_job {
    uint64_t id;
    int kind;                                /* enum pdf_kind */
    char input[JOB_PATH_CAP];                /* the content's JSON */
    char output[JOB_PATH_CAP];               /* the PDF to write */
};

struct render_reply {
    uint64_t id;
    int status;                              /* 0: the file is written */
    char message[512];
};

struct pending_render {
    uint64_t id;
    struct MHD_Connection *connection;
    struct http_request *request;
};

struct cache_entry {
    char name[HTTP_CACHE_NAME_CAP];
    size_t size;
    uint64_t used;                /* cache clock at the last use */
};

struct pdf_jobs {
    struct pdf_jobs_options options;
    char db_path[4096];
    pthread_mutex_t lock;         /* everything below */
    /* the helper */
    pid_t helper;
    int helper_socket;
    bool helper_dead;
    pthread_t dispatcher;
    bool dispatcher_started;
    uint64_t next_job;
    struct pending_render pending[PENDING_RENDERS_MAX];
    size_t pending_count;
    /* the cache */
    char cache_root[CACHE_DIR_CAP];  /* <db>.cache */
    char cache_dir[CACHE_DIR_CAP];   /* this server's run directory in it */
    int lock_fd;                     /* its .lock, flock'ed while the server runs */
    struct cache_entry *cache;
    size_t cache_count, cache_capacity, cache_total;
    uint64_t cache_clock;
};

/* ---- the cache ------------------------------------------------------------------ */

static void cache_path(const struct pdf_jobs *jobs, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", jobs->cache_dir, name);
}

/* Opens a cached file and marks it used; -1 when it is not cached.  The
 * descriptor stays good even if the file is evicted meanwhile. */
static int cache_open(struct pdf_jobs *jobs, const char *name, off_t *size)
{
    int fd = -1;
    pthread_mutex_lock(&jobs->lock);
    for (size_t i = 0; i < jobs->cache_count; i++) {
        if (strcmp(jobs->cache[i].name, name) != 0)
            continue;
        char path[JOB_PATH_CAP];
        cache_path(jobs, name, path, sizeof path);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0) {
            *size = st.st_size;
            jobs->cache[i].used = ++jobs->cache_clock;
        } else if (fd >= 0) {
            close(fd);
            fd = -1;
        }
        break;
    }
    pthread_mutex_unlock(&jobs->lock);
    return fd;
}

/* Enters a freshly rendered file of `size` bytes, then removes the least
 * recently used files until the cache fits its size (never the new one). */
static void cache_add(struct pdf_jobs *jobs, const char *name, size_t size)
{
    char path[JOB_PATH_CAP];
    pthread_mutex_lock(&jobs->lock);
    size_t index = jobs->cache_count;
    for (size_t i = 0; i < jobs->cache_count; i++)
        if (strcmp(jobs->cache[i].name, name) == 0)
            index = i;
    if (index == jobs->cache_count) {
        if (jobs->cache_count == jobs->cache_capacity) {
            size_t capacity = jobs->cache_capacity ? 2 * jobs->cache_capacity : 32;
            struct cache_entry *grown = realloc(jobs->cache, capacity * sizeof *grown);
            if (!grown) {
                pthread_mutex_unlock(&jobs->lock);
                cache_path(jobs, name, path, sizeof path);
                unlink(path);   /* an open descriptor still serves it */
                return;
            }
            jobs->cache = grown;
            jobs->cache_capacity = capacity;
        }
        snprintf(jobs->cache[index].name, HTTP_CACHE_NAME_CAP, "%s", name);
        jobs->cache[index].size = 0;
        jobs->cache_count++;
    }
    jobs->cache_total += size - jobs->cache[index].size;
    jobs->cache[index].size = size;
    jobs->cache[index].used = ++jobs->cache_clock;
    while (jobs->cache_total > jobs->options.cache_bytes && jobs->cache_count > 1) {
        size_t oldest = index == 0 ? 1 : 0;
        for (size_t i = 0; i < jobs->cache_count; i++)
            if (i != index && jobs->cache[i].used < jobs->cache[oldest].used)
                oldest = i;
        cache_path(jobs, jobs->cache[oldest].name, path, sizeof path);
        unlink(path);   /* a response still sending it keeps its open descriptor */
        jobs->cache_total -= jobs->cache[oldest].size;
        jobs->cache[oldest] = jobs->cache[--jobs->cache_count];
        if (index == jobs->cache_count)
            index = oldest;
    }
    pthread_mutex_unlock(&jobs->lock);
}

/* Removes every file in `directory`, then the directory.  Only files are
 * ever made in a cache directory (PDFs, their JSON, a render's temporary
 * file, the lock). */
static int remove_directory(const char *directory)
{
    DIR *dir = opendir(directory);
    struct dirent *entry;
    while (dir && (entry = readdir(dir))) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        char path[JOB_PATH_CAP + 256];
        snprintf(path, sizeof path, "%s/%s", directory, entry->d_name);
        unlink(path);
    }
    if (dir)
        closedir(dir);
    return rmdir(directory) == 0 || errno == ENOENT ? 0 : -1;
}

/* Empties and removes this server's cache directory, then the cache root
 * when no other server uses it. */
static void remove_cache(struct pdf_jobs *jobs)
{
    if (!jobs->cache_dir[0])
        return;
    if (remove_directory(jobs->cache_dir) != 0)
        http_log_error("%s: not removed: %s", jobs->cache_dir, strerror(errno));
    if (jobs->lock_fd >= 0)
        close(jobs->lock_fd);   /* the lock goes with it */
    jobs->lock_fd = -1;
    rmdir(jobs->cache_root);    /* fails, rightly, while another server has a directory there */
}

/* Removes the run directories of servers that are gone: killed, crashed or
 * lost with the machine.  A live server holds the lock of its directory's
 * .lock file; one whose lock can be taken is dead.  A directory without a
 * .lock is a server's that was just starting, or died doing so: removed
 * once it is a minute old. */
static void remove_dead_caches(const char *root)
{
    DIR *dir = opendir(root);
    struct dirent *entry;
    while (dir && (entry = readdir(dir))) {
        if (strncmp(entry->d_name, CACHE_RUN_PREFIX, strlen(CACHE_RUN_PREFIX)) != 0)
            continue;
        char path[JOB_PATH_CAP], lock[JOB_PATH_CAP + 16];
        snprintf(path, sizeof path, "%s/%s", root, entry->d_name);
        snprintf(lock, sizeof lock, "%s/" CACHE_LOCK_NAME, path);
        int fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        bool dead = fd >= 0 ? flock(fd, LOCK_EX | LOCK_NB) == 0
                            : errno == ENOENT && lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
                                  st.st_mtime < time(NULL) - 60;
        if (dead && remove_directory(path) != 0)
            http_log_error("%s: a dead server's cache not removed: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    if (dir)
        closedir(dir);
}

/* Makes the cache root beside the database (<db>.cache, 0700), clears what
 * dead servers left there, and makes and locks this server's directory. */
static int make_cache(struct pdf_jobs *jobs, struct error *err)
{
    if (snprintf(jobs->cache_root, sizeof jobs->cache_root, "%s.cache", jobs->db_path) >=
            (int)sizeof jobs->cache_root ||
        snprintf(jobs->cache_dir, sizeof jobs->cache_dir, "%s/" CACHE_RUN_PREFIX "XXXXXX",
                 jobs->cache_root) >= (int)sizeof jobs->cache_dir) {
        jobs->cache_dir[0] = '\0';
        return error_set(err, ERROR_INVALID, "%s: path too long for the PDF cache", jobs->db_path);
    }
    struct stat st;
    if (mkdir(jobs->cache_root, 0700) != 0 && errno != EEXIST) {
        jobs->cache_dir[0] = '\0';
        return error_set(err, ERROR_IO, "%s: %s", jobs->cache_root, strerror(errno));
    }
    if (lstat(jobs->cache_root, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
        jobs->cache_dir[0] = '\0';
        return error_set(err, ERROR_IO, "%s: not a directory of ours", jobs->cache_root);
    }
    remove_dead_caches(jobs->cache_root);
    if (!mkdtemp(jobs->cache_dir)) {
        error_set(err, ERROR_IO, "%s: %s", jobs->cache_dir, strerror(errno));
        jobs->cache_dir[0] = '\0';
        return -1;
    }
    /* Locked under another name, then renamed: another server starting
     * now never sees an unlocked .lock and takes this directory for dead. */
    char lock[JOB_PATH_CAP], unready[JOB_PATH_CAP];
    snprintf(lock, sizeof lock, "%s/" CACHE_LOCK_NAME, jobs->cache_dir);
    snprintf(unready, sizeof unready, "%s/" CACHE_LOCK_NAME ".new", jobs->cache_dir);
    jobs->lock_fd = open(unready, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (jobs->lock_fd < 0 || flock(jobs->lock_fd, LOCK_EX | LOCK_NB) != 0 || rename(unready, lock) != 0)
        return error_set(err, ERROR_IO, "%s: %s", lock, strerror(errno));
    return 0;
}

/* ---- the render helper -------------------------------------------------------------- */

/* Where a packet rendered in the helper finds an attachment. */
static void stored_file(const char *sha256, const char *media_type, char *path, size_t size,
                        void *files_dir)
{
    store_file_path_in(files_dir, sha256, media_type, path, size);
}

/* Renders one job's document from its JSON; 0 or -1 with err filled. */
static int render_document(const struct render_job *job, const char *db_path, struct error *err)
{
    char *text;
    size_t length;
    if (files_read(job->input, MAX_CONTENT_BYTES, &text, &length, err) != 0)
        return -1;
    json_error_t parse_error;
    json_t *content = json_loadb(text, length, 0, &parse_error);
    free(text);
    if (!content)
        return error_set(err, ERROR_INTERNAL, "%s: %s", job->input, parse_error.text);
    int rc;
    if (job->kind == PDF_PACKET) {
        char files_dir[4096 + 8];
        snprintf(files_dir, sizeof files_dir, "%s.files", db_path);
        struct packet_result result;
        rc = packet_render(content, stored_file, files_dir, job->output, &result, err);
    } else if (job->kind == PDF_COMPARE) {
        struct compare_doc_options options = {.a3 = false};
        struct compare_doc_result result;
        rc = compare_doc_render(json_object_get(content, "table"), &options, job->output, &result,
                                err);
    } else if (job->kind == PDF_SCORESHEET || job->kind == PDF_SUMMARY) {
        struct scoring_doc_result result;
        rc = job->kind == PDF_SCORESHEET ? scoring_doc_sheets(content, job->output, &result, err)
                                         : scoring_doc_summary(content, job->output, &result, err);
    } else {
        rc = error_set(err, ERROR_INTERNAL, "unknown render kind %d", job->kind);
    }
    json_decref(content);
    return rc;
}

/* In the job's own process: renders and exits.  Pango and fontconfig are
 * initialised here, in a process with one thread, and die with it. */
static void render_child(const struct render_job *job, const char *db_path, int report)
{
    struct error err = {0};
    int rc = render_document(job, db_path, &err);
    /* The outcome travels on the pipe, not in the exit status, which a
     * tool such as valgrind may replace with its own. */
    char report_text[sizeof err.message + 1];
    int length = snprintf(report_text, sizeof report_text, "%c%s", rc == 0 ? '0' : '1',
                          rc == 0 ? "" : err.message);
    ssize_t ignored = write(report, report_text, (size_t)length < sizeof report_text
                                                 ? (size_t)length : sizeof report_text - 1);
    (void)ignored;
    /* _exit: the parent's heap and atexit handlers are not this process's to clean. */
    _exit(rc == 0 ? 0 : 1);
}

/* In the helper: runs one job in a child, with a deadline. */
static void run_job(const struct render_job *job, const char *db_path, int timeout_seconds,
                    struct render_reply *reply)
{
    int pipe_fds[2];
    reply->status = -1;
    /* pipe + FD_CLOEXEC is race-free here: the helper has one thread. */
    if (pipe(pipe_fds) != 0 || fcntl(pipe_fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(pipe_fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        snprintf(reply->message, sizeof reply->message, "pipe: %s", strerror(errno));
        return;
    }
    pid_t child = fork();
    if (child < 0) {
        snprintf(reply->message, sizeof reply->message, "fork: %s", strerror(errno));
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return;
    }
    if (child == 0) {
        close(pipe_fds[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        render_child(job, db_path, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    char text[sizeof reply->message + 1];
    size_t used = 0;
    bool timed_out = false;
    double deadline = timestamp_monotonic() + timeout_seconds;
    for (;;) {
        int left = (int)((deadline - timestamp_monotonic()) * 1000);
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd p = {pipe_fds[0], POLLIN, 0};
        int ready = poll(&p, 1, left);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            timed_out = ready == 0;
            break;
        }
        ssize_t n = read(pipe_fds[0], text + used, sizeof text - 1 - used);
        if (n <= 0)
            break;   /* EOF: the child has exited or is exiting */
        used += (size_t)n;
        if (used == sizeof text - 1)
            break;
    }
    text[used] = '\0';
    snprintf(reply->message, sizeof reply->message, "%s", used > 1 ? text + 1 : "");
    close(pipe_fds[0]);
    if (timed_out)
        kill(child, SIGKILL);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    if (timed_out)
        snprintf(reply->message, sizeof reply->message, "rendering took longer than %d s",
                 timeout_seconds);
    else if (used > 0 && text[0] == '0' && access(job->output, F_OK) == 0)
        reply->status = 0;
    else if (used == 0 && WIFSIGNALED(status))
        snprintf(reply->message, sizeof reply->message, "the renderer died (signal %d)",
                 WTERMSIG(status));
    else if (!reply->message[0])
        snprintf(reply->message, sizeof reply->message, "rendering failed");
}

/* The helper process: one job at a time, each in a fresh child.  It was
 * forked before the server had threads, so forking again here is safe. */
static void helper_main(int socket_fd, const char *db_path, int timeout_seconds)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (;;) {
        struct render_job job;
        ssize_t n = recv(socket_fd, &job, sizeof job, 0);
        if (n == 0)
            _exit(0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            _exit(1);
        }
        if ((size_t)n != sizeof job)
            continue;
        job.input[sizeof job.input - 1] = '\0';
        job.output[sizeof job.output - 1] = '\0';
        struct render_reply reply = {.id = job.id};
        run_job(&job, db_path, timeout_seconds, &reply);
        if (send(socket_fd, &reply, sizeof reply, MSG_NOSIGNAL) < 0 && errno != EINTR)
            _exit(1);
    }
}

/* Marks a waiting request done and lets MHD run it again.  Lock held. */
static void complete_pending(struct pdf_jobs *jobs, size_t index, int status, const char *message)
{
    struct pending_render p = jobs->pending[index];
    p.request->render_status = status;
    snprintf(p.request->render_message, sizeof p.request->render_message, "%s", message);
    p.request->render = HTTP_RENDER_DONE;
    jobs->pending[index] = jobs->pending[--jobs->pending_count];
    MHD_resume_connection(p.connection);
}

/* Reads the helper's replies and resumes the connections waiting for them. */
static void *dispatcher_main(void *argument)
{
    struct pdf_jobs *jobs = argument;
    for (;;) {
        struct render_reply reply;
        ssize_t n = recv(jobs->helper_socket, &reply, sizeof reply, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if ((size_t)n != sizeof reply)
            continue;
        reply.message[sizeof reply.message - 1] = '\0';
        pthread_mutex_lock(&jobs->lock);
        for (size_t i = 0; i < jobs->pending_count; i++) {
            if (jobs->pending[i].id == reply.id) {
                complete_pending(jobs, i, reply.status, reply.message);
                break;
            }
        }
        pthread_mutex_unlock(&jobs->lock);
    }
    pthread_mutex_lock(&jobs->lock);
    jobs->helper_dead = true;
    while (jobs->pending_count > 0)
        complete_pending(jobs, 0, -1, "the renderer has stopped");
    pthread_mutex_unlock(&jobs->lock);
    return NULL;
}

/* ---- start and stop ------------------------------------------------------------------ */

int pdf_jobs_start(const struct pdf_jobs_options *options, struct pdf_jobs **out,
                   struct error *err)
{
    struct pdf_jobs *jobs = calloc(1, sizeof *jobs);
    if (!jobs)
        return error_set(err, ERROR_INTERNAL, "out of memory");
    jobs->options = *options;
    snprintf(jobs->db_path, sizeof jobs->db_path, "%s", options->db_path);
    jobs->options.db_path = jobs->db_path;
    jobs->helper_socket = -1;
    jobs->lock_fd = -1;
    pthread_mutex_init(&jobs->lock, NULL);

    /* The helper first, while this process still has one thread. */
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
        error_set(err, ERROR_IO, "socketpair: %s", strerror(errno));
        pdf_jobs_stop(jobs);
        return -1;
    }
    fflush(NULL);
    pid_t helper = fork();
    if (helper < 0) {
        error_set(err, ERROR_INTERNAL, "fork: %s", strerror(errno));
        close(pair[0]);
        close(pair[1]);
        pdf_jobs_stop(jobs);
        return -1;
    }
    if (helper == 0) {
        close(pair[0]);
        helper_main(pair[1], jobs->db_path, options->render_timeout);
        _exit(0);
    }
    close(pair[1]);
    jobs->helper = helper;
    jobs->helper_socket = pair[0];

    if (make_cache(jobs, err) != 0) {
        pdf_jobs_stop(jobs);
        return -1;
    }
    if (pthread_create(&jobs->dispatcher, NULL, dispatcher_main, jobs) != 0) {
        error_set(err, ERROR_INTERNAL, "cannot start a thread");
        pdf_jobs_stop(jobs);
        return -1;
    }
    jobs->dispatcher_started = true;
    *out = jobs;
    return 0;
}

void pdf_jobs_stop(struct pdf_jobs *jobs)
{
    if (!jobs)
        return;
    if (jobs->helper > 0) {
        kill(jobs->helper, SIGKILL);
        while (waitpid(jobs->helper, NULL, 0) < 0 && errno == EINTR)
            ;
        jobs->helper = 0;
    }
    if (jobs->dispatcher_started) {
        /* The helper is gone: the dispatcher reads EOF, fails what was
         * pending and resumes those connections. */
        shutdown(jobs->helper_socket, SHUT_RDWR);
        pthread_join(jobs->dispatcher, NULL);
        jobs->dispatcher_started = false;
    }
    if (jobs->helper_socket >= 0)
        close(jobs->helper_socket);
    remove_cache(jobs);
    free(jobs->cache);
    pthread_mutex_destroy(&jobs->lock);
    free(jobs);
}

/* ---- serving --------------------------------------------------------------------------- */

/* Records the hand-out, then answers the open PDF fd (taken). */
static enum MHD_Result reply_pdf(struct http_call *call, int fd, off_t size, const char *detail)
{
    struct http_request *r = call->request;
    http_end_reads(call);
    struct audit_entry entry = {r->audit_user, r->audit_action,
                                r->audit_application[0] ? r->audit_application : NULL, detail,
                                call->remote};
    struct error err;
    if (audit_writer_record(call->shared->audit, &entry, &err) != 0) {
        close(fd);
        return http_reply_failure(call, "audit", &err);
    }
    char disposition[256];
    snprintf(disposition, sizeof disposition, "inline; filename=\"%s\"", r->download_name);
    return http_reply_file(call, fd, size, "application/pdf", disposition);
}

/* "<detail> <what>", e.g. "department=001012 cached". */
static void detail_with(const struct http_request *r, const char *what, char *out, size_t size)
{
    snprintf(out, size, "%s%s%s", r->audit_detail, r->audit_detail[0] ? " " : "", what);
}

/* Writes the content for the helper and suspends the connection until it
 * is rendered; the handler runs again then (pdf_jobs_finish). */
static enum MHD_Result start_render(struct http_call *call, enum pdf_kind kind, const char *text)
{
    struct pdf_jobs *jobs = call->shared->pdf_jobs;
    struct http_request *r = call->request;
    struct render_job job = {.kind = kind};
    cache_path(jobs, r->cache_name, job.output, sizeof job.output);
    snprintf(job.input, sizeof job.input, "%.*s.json", (int)(strlen(job.output) - 4), job.output);
    struct error err;
    if (files_write_atomic(job.input, text, strlen(text), &err) != 0)
        return http_reply_internal(call, "render input", &err);
    pthread_mutex_lock(&jobs->lock);
    if (jobs->helper_dead) {
        pthread_mutex_unlock(&jobs->lock);
        return http_reply_error(call, MHD_HTTP_SERVICE_UNAVAILABLE, "the renderer is not running");
    }
    if (jobs->pending_count == PENDING_RENDERS_MAX) {
        pthread_mutex_unlock(&jobs->lock);
        return http_reply_error(call, MHD_HTTP_SERVICE_UNAVAILABLE, "busy rendering; try again shortly");
    }
    job.id = ++jobs->next_job;
    jobs->pending[jobs->pending_count++] = (struct pending_render){job.id, call->connection, r};
    r->render = HTTP_RENDER_WAITING;
    /* Suspended before the job is sent, under the lock the dispatcher takes
     * to resume: a reply can never resume a connection not yet suspended. */
    MHD_suspend_connection(call->connection);
    if (send(jobs->helper_socket, &job, sizeof job, MSG_NOSIGNAL) != (ssize_t)sizeof job)
        complete_pending(jobs, jobs->pending_count - 1, -1, "the renderer is not running");
    pthread_mutex_unlock(&jobs->lock);
    return MHD_YES;
}

enum MHD_Result pdf_jobs_serve(struct http_call *call, const struct pdf_document *document)
{
    struct http_request *r = call->request;
    char *text = json_dumps(document->content, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return http_reply_internal(call, document->prefix, NULL);
    /* The cache name is the SHA-256 of the content: changed data is a miss. */
    char hash[65];
    text_sha256_hex(text, strlen(text), hash);
    snprintf(r->cache_name, sizeof r->cache_name, "%s-%s.pdf", document->prefix, hash);
    snprintf(r->download_name, sizeof r->download_name, "%s", document->download_name);
    snprintf(r->audit_user, sizeof r->audit_user, "%s", call->session->user);
    snprintf(r->audit_action, sizeof r->audit_action, "%s", document->action);
    snprintf(r->audit_application, sizeof r->audit_application, "%s",
             document->application ? document->application : "");
    snprintf(r->audit_detail, sizeof r->audit_detail, "%s", document->detail ? document->detail : "");
    off_t size;
    int fd = cache_open(call->shared->pdf_jobs, r->cache_name, &size);
    enum MHD_Result result;
    if (fd >= 0) {
        free(text);
        char detail[96];
        detail_with(r, "cached", detail, sizeof detail);
        return reply_pdf(call, fd, size, detail);
    }
    result = start_render(call, document->kind, text);
    free(text);
    return result;
}

enum MHD_Result pdf_jobs_finish(struct http_call *call)
{
    struct pdf_jobs *jobs = call->shared->pdf_jobs;
    struct http_request *r = call->request;
    r->render = HTTP_RENDER_NONE;
    char path[JOB_PATH_CAP], input[JOB_PATH_CAP];
    cache_path(jobs, r->cache_name, path, sizeof path);
    snprintf(input, sizeof input, "%.*s.json", (int)(strlen(path) - 4), path);
    unlink(input);
    if (r->render_status != 0) {
        /* The details (paths, library messages) go to the log, not the client. */
        http_log_error("render %s: %s", r->cache_name, r->render_message);
        return http_reply_error(call, MHD_HTTP_INTERNAL_SERVER_ERROR, "rendering failed");
    }
    /* Opened before it enters the cache: another request's eviction can
     * then remove the name, never this answer. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        http_log_error("render %s: the rendered file is gone: %s", r->cache_name, strerror(errno));
        return http_reply_error(call, MHD_HTTP_INTERNAL_SERVER_ERROR, "rendering failed");
    }
    cache_add(jobs, r->cache_name, (size_t)st.st_size);
    char detail[96];
    detail_with(r, "rendered", detail, sizeof detail);
    return reply_pdf(call, fd, st.st_size, detail);
}
