/* attach — sanitising applicants' PDFs in a child process, and drawing the
 * result.  Owns each struct attach_file: the display name, the SHA-256, the
 * reason a file cannot be shown, and the Cairo-made sanitised copy with its
 * page tree read (pdfpage.h), ready to be copied into documents.
 *
 * The child is a fork of the caller, so it needs no separate binary and
 * already holds the file's bytes; it talks to the parent only through its
 * exit status, one line on a pipe ("ok <pages> <shown>" or
 * "<malformed|encrypted|render> <message>") and the temporary file it
 * writes the sanitised copy to.  It ends with _exit() on every path: exit()
 * would flush stdio buffers it inherited from the parent, writing the
 * parent's pending output a second time. */
#include "render/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_CID_H
#include <poppler.h>

#include "fonts/fonts.h"
#include "render/pdfpage.h"

#define DEFAULT_CPU_SECONDS 20
#define DEFAULT_WALL_SECONDS 30
#define DEFAULT_MEMORY_BYTES ((size_t)1 << 30)
#define DEFAULT_MAX_FILE_BYTES ((size_t)50 << 20)
#define DEFAULT_MAX_OUTPUT_BYTES ((size_t)200 << 20)
#define DEFAULT_MAX_PAGES 20

/* PDF's own limits on a page side are 3 to 14 400 points. */
#define MIN_PAGE_SIDE 3.0
#define MAX_PAGE_SIDE 14400.0

/* In the child, the status pipe and the output file are moved to these. */
#define CHILD_STATUS_FD 3
#define CHILD_OUTPUT_FD 4

#define REPORT_MAX 512

#define LABEL_COLOR 0x333333
#define PLACEHOLDER_FRAME 0xA8231E
#define PLACEHOLDER_HEADER_FILL 0xF6D5D3
#define PLACEHOLDER_FILL 0xFDF3F2
#define NOTE_FRAME 0xB7950B
#define NOTE_FILL 0xFDF6E3

struct attach_file {
    enum attach_status status;
    char *display_name;
    char sha256[65];
    char *reason;                 /* detail for the placeholder; NULL when ready */
    int page_count;
    int pages_shown;
    GBytes *sanitised;            /* the Cairo-made copy ... */
    struct pdfpage_source *pages; /* ... and its pages, ready to be copied into documents */
};

struct limits {
    unsigned cpu_seconds, wall_seconds;
    size_t memory_bytes, max_file_bytes, max_output_bytes;
    int max_pages;
};

static struct limits resolve_limits(const struct attach_limits *given)
{
    struct attach_limits none = { 0 };
    if (!given)
        given = &none;
    return (struct limits){
        .cpu_seconds = given->cpu_seconds ? given->cpu_seconds : DEFAULT_CPU_SECONDS,
        .wall_seconds = given->wall_seconds ? given->wall_seconds : DEFAULT_WALL_SECONDS,
        .memory_bytes = given->memory_bytes ? given->memory_bytes : DEFAULT_MEMORY_BYTES,
        .max_file_bytes = given->max_file_bytes ? given->max_file_bytes : DEFAULT_MAX_FILE_BYTES,
        .max_output_bytes = given->max_output_bytes ? given->max_output_bytes
                                                    : DEFAULT_MAX_OUTPUT_BYTES,
        .max_pages = given->max_pages > 0 ? given->max_pages : DEFAULT_MAX_PAGES,
    };
}

const char *attach_status_name(enum attach_status status)
{
    static const char *const names[] = {
        [ATTACH_OK] = "ok", [ATTACH_TRUNCATED] = "truncated",
        [ATTACH_UNREADABLE] = "unreadable", [ATTACH_TOO_LARGE] = "too-large",
        [ATTACH_MALFORMED] = "malformed", [ATTACH_ENCRYPTED] = "encrypted",
        [ATTACH_TIMEOUT] = "timeout", [ATTACH_LIMIT] = "limit",
        [ATTACH_CRASHED] = "crashed", [ATTACH_SYSTEM_ERROR] = "system-error",
    };
    return (unsigned)status < G_N_ELEMENTS(names) ? names[status] : "unknown";
}

/* What a reviewer reads on the placeholder. */
static const char *status_reason(enum attach_status status)
{
    switch (status) {
    case ATTACH_UNREADABLE: return "無法讀取檔案";
    case ATTACH_TOO_LARGE: return "檔案超過大小上限";
    case ATTACH_MALFORMED: return "PDF 格式錯誤或已損毀";
    case ATTACH_ENCRYPTED: return "PDF 已加密，需要密碼";
    case ATTACH_TIMEOUT: return "處理逾時";
    case ATTACH_LIMIT: return "超過處理資源上限";
    case ATTACH_CRASHED: return "處理程序異常結束";
    case ATTACH_SYSTEM_ERROR: return "系統錯誤";
    default: return "";
    }
}

/* Records a failure in `file` and in `err`; returns the status. */
static enum attach_status fail(struct attach_file *file, enum attach_status status,
                               struct error *err, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static enum attach_status fail(struct attach_file *file, enum attach_status status,
                               struct error *err, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *detail = g_strdup_vprintf(format, args);
    va_end(args);
    error_set(err, ERROR_INVALID, "%s: %s", file->display_name, detail);
    g_free(file->reason);
    file->reason = detail;
    file->status = status;
    return status;
}

/* ---- Reading the file */

/* Reads the whole file if it is within the limit; hashes it either way so
 * that even a refused file is identified on the placeholder. */
static enum attach_status read_attachment(const char *path, struct attach_file *file,
                                          size_t limit, unsigned char **data, size_t *size,
                                          struct error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return fail(file, ATTACH_UNREADABLE, err, "%s", strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(file, ATTACH_UNREADABLE, err, "not a regular file");
    }

    bool too_large = (unsigned long long)st.st_size > limit;
    size_t keep = too_large ? 0 : (size_t)st.st_size;
    unsigned char *buffer = g_try_malloc(keep + 1);
    unsigned char chunk[65536];
    GChecksum *checksum = g_checksum_new(G_CHECKSUM_SHA256);
    size_t done = 0;
    bool read_failed = buffer == NULL;

    while (!read_failed) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            read_failed = true;
        if (n <= 0)
            break;
        g_checksum_update(checksum, chunk, n);
        if (!too_large) {
            if (done + (size_t)n > keep) {   /* the file grew while we read it */
                read_failed = true;
                break;
            }
            memcpy(buffer + done, chunk, (size_t)n);
        }
        done += (size_t)n;
    }
    close(fd);
    if (!read_failed)
        snprintf(file->sha256, sizeof file->sha256, "%s", g_checksum_get_string(checksum));
    g_checksum_free(checksum);

    if (read_failed) {
        g_free(buffer);
        return fail(file, ATTACH_UNREADABLE, err, "read failed");
    }
    if (too_large) {
        g_free(buffer);
        return fail(file, ATTACH_TOO_LARGE, err, "%zu bytes, limit %zu", done, limit);
    }
    *data = buffer;
    *size = done;
    return ATTACH_OK;
}

/* Reads all of file `fd` (at most `limit` bytes) into *bytes.  Returns 0,
 * or -1: too large (*too_large set), or unreadable. */
static int read_whole_file(int fd, size_t limit, GBytes **bytes, bool *too_large)
{
    struct stat st;
    *too_large = false;
    if (fstat(fd, &st) != 0 || st.st_size <= 0 || (unsigned long long)st.st_size > limit) {
        *too_large = st.st_size > 0;
        return -1;
    }
    size_t size = (size_t)st.st_size, done = 0;
    unsigned char *data = g_try_malloc(size);
    if (!data)
        return -1;
    while (done < size) {
        ssize_t n = pread(fd, data + done, size - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    if (done != size) {
        g_free(data);
        return -1;
    }
    *bytes = g_bytes_new_take(data, size);
    return 0;
}

/* ---- The child */

/* FreeType's advance of each glyph (by CID) of a CFF font program, in
 * thousandths of an em: the advances Cairo placed the glyphs by. */
static int measure_cff_widths(const unsigned char *program, size_t size, const unsigned *cids,
                              size_t count, double *widths, void *user)
{
    (void)user;
    FT_Library library;
    FT_Face face;
    if (FT_Init_FreeType(&library) != 0)
        return -1;
    if (FT_New_Memory_Face(library, program, (FT_Long)size, 0, &face) != 0 || face->units_per_EM == 0) {
        FT_Done_FreeType(library);
        return -1;
    }
    /* A CID-keyed font numbers its glyphs apart from their CIDs. */
    enum { NO_GLYPH = -1 };
    enum { CIDS = 65536 };
    int *glyph_of = g_new(int, CIDS);
    FT_Bool cid_keyed = 0;
    FT_Get_CID_Is_Internally_CID_Keyed(face, &cid_keyed);
    for (int cid = 0; cid < CIDS; cid++)
        glyph_of[cid] = cid_keyed || cid >= face->num_glyphs ? NO_GLYPH : cid;
    for (FT_Long glyph = 0; cid_keyed && glyph < face->num_glyphs; glyph++) {
        FT_UInt cid;
        if (FT_Get_CID_From_Glyph_Index(face, (FT_UInt)glyph, &cid) == 0 && cid < CIDS)
            glyph_of[cid] = (int)glyph;
    }
    for (size_t i = 0; i < count; i++) {
        int glyph = cids[i] < CIDS ? glyph_of[cids[i]] : NO_GLYPH;
        if (glyph != NO_GLYPH &&
            FT_Load_Glyph(face, (FT_UInt)glyph, FT_LOAD_NO_SCALE | FT_LOAD_NO_HINTING) == 0)
            widths[i] = face->glyph->metrics.horiAdvance * 1000.0 / face->units_per_EM;
    }
    g_free(glyph_of);
    FT_Done_Face(face);
    FT_Done_FreeType(library);
    return 0;
}

/* Replaces the sanitised copy in the output file with `bytes`. */
static int rewrite_output(GBytes *bytes)
{
    size_t size, done = 0;
    const unsigned char *data = g_bytes_get_data(bytes, &size);
    if (ftruncate(CHILD_OUTPUT_FD, 0) != 0)
        return -1;
    while (done < size) {
        ssize_t n = pwrite(CHILD_OUTPUT_FD, data + done, size - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

static void child_report(const char *format, ...) __attribute__((format(printf, 1, 2)));

static void child_report(const char *format, ...)
{
    char line[REPORT_MAX];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(line, sizeof line - 1, format, args);
    va_end(args);
    if (length < 0)
        return;
    if ((size_t)length > sizeof line - 2)
        length = sizeof line - 2;
    line[length++] = '\n';
    for (char *p = line; p < line + length - 1; p++)   /* one line, whatever poppler said */
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    ssize_t ignored = write(CHILD_STATUS_FD, line, (size_t)length);
    (void)ignored;
}

static cairo_status_t child_write(void *closure, const unsigned char *data, unsigned int length)
{
    (void)closure;
    while (length > 0) {
        ssize_t n = write(CHILD_OUTPUT_FD, data, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return CAIRO_STATUS_WRITE_ERROR;
        data += n;
        length -= (unsigned)n;
    }
    return CAIRO_STATUS_SUCCESS;
}

/* Bytes of address space this process already has: the memory limit is a
 * budget on top of it, since a fork starts with all of the parent's. */
static size_t current_address_space(void)
{
    unsigned long pages = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm) {
        if (fscanf(statm, "%lu", &pages) != 1)
            pages = 0;
        fclose(statm);
    }
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

static void child_limit(int resource, rlim_t soft, rlim_t hard)
{
    struct rlimit limit = { soft, hard };
    setrlimit(resource, &limit);
}

/* Leaves the child with /dev/null on 0–2, the status pipe and the output
 * file on 3 and 4, and nothing else: the parent's database handles, sockets
 * and half-written PDF stay out of reach of whatever the file does to
 * poppler. */
static void child_descriptors(int status_fd, int output_fd)
{
    int status_high = fcntl(status_fd, F_DUPFD, 10);
    int output_high = fcntl(output_fd, F_DUPFD, 10);
    int null = open("/dev/null", O_RDWR);
    if (status_high < 0 || output_high < 0 || null < 0)
        _exit(120);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    dup2(status_high, CHILD_STATUS_FD);
    dup2(output_high, CHILD_OUTPUT_FD);
#ifdef SYS_close_range
    if (syscall(SYS_close_range, CHILD_OUTPUT_FD + 1, ~0U, 0) == 0)
        return;
#endif
    long last = sysconf(_SC_OPEN_MAX);
    for (long fd = CHILD_OUTPUT_FD + 1; fd < (last > 0 && last < 65536 ? last : 65536); fd++)
        close((int)fd);
}

static double clamp_side(double side)
{
    return side < MIN_PAGE_SIDE ? MIN_PAGE_SIDE : side > MAX_PAGE_SIDE ? MAX_PAGE_SIDE : side;
}

static void child_main(const unsigned char *data, size_t size, int status_fd, int output_fd,
                       const struct limits *limits)
{
    child_descriptors(status_fd, output_fd);
    /* Whatever the parent did with signals, the limits must be able to
     * kill the child. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGXCPU, SIG_DFL);
    signal(SIGXFSZ, SIG_DFL);
    child_limit(RLIMIT_CORE, 0, 0);
    child_limit(RLIMIT_CPU, limits->cpu_seconds, limits->cpu_seconds + 1);
    child_limit(RLIMIT_FSIZE, limits->max_output_bytes, limits->max_output_bytes);
    size_t address_space = current_address_space() + limits->memory_bytes;
    child_limit(RLIMIT_AS, address_space, address_space);

    /* Fonts a PDF names but does not embed are substituted from our private
     * configuration, not from whatever the host has installed. */
    FcConfig *config = fonts_config(NULL);
    if (config)
        FcConfigSetCurrent(config);

    GBytes *bytes = g_bytes_new_static(data, size);
    GError *error = NULL;
    PopplerDocument *document = poppler_document_new_from_bytes(bytes, NULL, &error);
    if (!document) {
        bool encrypted = g_error_matches(error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED);
        child_report("%s %s", encrypted ? "encrypted" : "malformed",
                     error ? error->message : "poppler could not open the file");
        _exit(2);
    }
    int pages = poppler_document_get_n_pages(document);
    if (pages <= 0) {
        child_report("malformed the document has no pages");
        _exit(2);
    }
    int shown = pages < limits->max_pages ? pages : limits->max_pages;

    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(child_write, NULL, 595, 842);
    cairo_t *cr = cairo_create(surface);
    for (int i = 0; i < shown; i++) {
        PopplerPage *page = poppler_document_get_page(document, i);
        double width = 595, height = 842;
        if (page)
            poppler_page_get_size(page, &width, &height);   /* after /Rotate */
        cairo_pdf_surface_set_size(surface, clamp_side(width), clamp_side(height));
        if (page) {
            cairo_save(cr);
            poppler_page_render_for_printing(page, cr);
            cairo_restore(cr);
            g_object_unref(page);
        }
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    cairo_status_t status = cairo_surface_status(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        child_report("render %s", cairo_status_to_string(status));
        _exit(3);
    }
    /* The parent copies this file's objects into documents: read it here,
     * under the limits, as the parent will, so that it cannot fail there. */
    GBytes *written = NULL, *corrected = NULL;
    bool too_large;
    struct error err = {0};
    struct pdfpage_source *source = NULL;
    int widths = 0;
    if (read_whole_file(CHILD_OUTPUT_FD, limits->max_output_bytes, &written, &too_large) != 0) {
        child_report("render the sanitised copy cannot be read back");
        _exit(3);
    }
    /* Cairo's width flaw (pdfpage.h): a copy that cannot be corrected is
     * still a valid file, shown as Cairo wrote it. */
    if (pdfpage_correct_cff_widths(written, measure_cff_widths, NULL, &corrected, &widths, &err) == 0 &&
        corrected) {
        if (rewrite_output(corrected) != 0) {
            child_report("render the corrected sanitised copy cannot be written");
            _exit(3);
        }
        g_bytes_unref(written);
        written = corrected;
    }
    err.message[0] = '\0';
    if (!(source = pdfpage_source_open(written, true, &err)) ||
        pdfpage_source_pages(source) != shown) {
        child_report("render the sanitised copy cannot be placed in a document: %s",
                     err.message[0] ? err.message : "wrong page count");
        _exit(3);
    }
    pdfpage_source_unref(source);
    g_bytes_unref(written);
    child_report("ok %d %d", pages, shown);
    _exit(0);
}

/* ---- The parent's side */

static double monotonic_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + now.tv_nsec / 1e9;
}

/* Collects the child's report until it exits, killing it at the deadline.
 * Returns its wait status; *timed_out says whether we killed it. */
static int wait_for_child(pid_t pid, int status_fd, double deadline, char *report,
                          size_t report_size, bool *timed_out)
{
    size_t used = 0;
    bool pipe_open = true;
    int wait_status = 0;

    *timed_out = false;
    for (;;) {
        pid_t done = waitpid(pid, &wait_status, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR))
            break;
        double left = deadline - monotonic_seconds();
        if (left <= 0) {
            kill(pid, SIGKILL);
            *timed_out = true;
            while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR)
                continue;
            break;
        }
        int wait_ms = (int)(left * 1000) + 1;
        if (!pipe_open || wait_ms > 20)   /* waitpid has no timeout: look again soon */
            wait_ms = pipe_open ? 20 : 5;
        if (pipe_open) {
            struct pollfd watch = { .fd = status_fd, .events = POLLIN };
            if (poll(&watch, 1, wait_ms) > 0) {
                char scratch[256];
                char *into = used + 1 < report_size ? report + used : scratch;
                size_t room = used + 1 < report_size ? report_size - 1 - used : sizeof scratch;
                ssize_t n = read(status_fd, into, room);
                if (n > 0 && into == report + used)
                    used += (size_t)n;
                else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                    pipe_open = false;
            }
        } else {
            struct timespec pause = { 0, wait_ms * 1000000L };
            nanosleep(&pause, NULL);
        }
    }
    /* Whatever is still in the pipe after the child has gone. */
    while (pipe_open && used + 1 < report_size) {
        ssize_t n = read(status_fd, report + used, report_size - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    report[used] = '\0';
    return wait_status;
}

static int make_temporary_file(void)
{
    const char *directory = getenv("TMPDIR");
    char *path = g_strdup_printf("%s/beishen-attach-XXXXXX",
                                 directory && directory[0] ? directory : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0) {
        unlink(path);   /* nothing to clean up, whatever happens next */
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    g_free(path);
    return fd;
}

/* Reads the sanitised copy back and parses its xref and page tree (the
 * child has already read every object the pages use). */
static enum attach_status load_sanitised(struct attach_file *file, int fd, int expected_pages,
                                         size_t limit, struct error *err)
{
    bool too_large;
    if (read_whole_file(fd, limit, &file->sanitised, &too_large) != 0)
        return too_large ? fail(file, ATTACH_LIMIT, err, "sanitised copy is over %zu bytes", limit)
                         : fail(file, ATTACH_SYSTEM_ERROR, err, "could not read the sanitised copy back");
    struct error detail = {0};
    file->pages = pdfpage_source_open(file->sanitised, false, &detail);
    if (!file->pages || pdfpage_source_pages(file->pages) != expected_pages)
        return fail(file, ATTACH_CRASHED, err, "sanitised copy is unusable: %s",
                    file->pages ? "wrong page count" : detail.message);
    return ATTACH_OK;
}

static void truncation_message(const struct attach_file *file, struct error *err)
{
    error_set(err, ERROR_INVALID, "%s: showing %d of %d pages", file->display_name, file->pages_shown,
              file->page_count);
}

/* Turns what the child said and how it ended into the attachment's status. */
static enum attach_status judge_child(struct attach_file *file, int wait_status, bool timed_out,
                                      const char *report, const struct limits *limits, int output_fd,
                                      struct error *err)
{
    if (timed_out)
        return fail(file, ATTACH_TIMEOUT, err, "killed after %u s", limits->wall_seconds);
    if (WIFSIGNALED(wait_status)) {
        int signal_number = WTERMSIG(wait_status);
        if (signal_number == SIGXCPU || signal_number == SIGKILL)
            return fail(file, ATTACH_LIMIT, err, "CPU time limit of %u s", limits->cpu_seconds);
        if (signal_number == SIGXFSZ)
            return fail(file, ATTACH_LIMIT, err, "sanitised copy over %zu bytes",
                        limits->max_output_bytes);
        return fail(file, ATTACH_CRASHED, err,
                    "signal %d (%s); running out of the %zu MiB memory limit also ends this way",
                    signal_number, strsignal(signal_number), limits->memory_bytes >> 20);
    }

    const char *message = strchr(report, ' ');
    message = message ? message + 1 : "";
    char *line = g_strndup(message, strcspn(message, "\n"));
    enum attach_status status;
    int pages = 0, shown = 0;

    if (strncmp(report, "encrypted ", 10) == 0)
        status = fail(file, ATTACH_ENCRYPTED, err, "%s", line);
    else if (strncmp(report, "malformed ", 10) == 0)
        status = fail(file, ATTACH_MALFORMED, err, "%s", line);
    else if (strncmp(report, "ok ", 3) == 0 && WEXITSTATUS(wait_status) == 0
             && sscanf(report + 3, "%d %d", &pages, &shown) == 2 && pages > 0 && shown > 0
             && shown <= pages && shown <= limits->max_pages) {
        file->page_count = pages;
        file->pages_shown = shown;
        status = load_sanitised(file, output_fd, shown, limits->max_output_bytes, err);
        if (status == ATTACH_OK && shown < pages)
            status = file->status = ATTACH_TRUNCATED;
        if (status == ATTACH_TRUNCATED)
            truncation_message(file, err);
    } else
        status = fail(file, ATTACH_CRASHED, err, "child exited with status %d: %s",
                      WEXITSTATUS(wait_status), report[0] ? report : "no report");
    g_free(line);
    return status;
}

static enum attach_status sanitise(struct attach_file *file, const unsigned char *data, size_t size,
                                   const struct limits *limits, struct error *err)
{
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        return fail(file, ATTACH_SYSTEM_ERROR, err, "pipe: %s", strerror(errno));
    fcntl(pipe_fds[0], F_SETFD, FD_CLOEXEC);
    /* Never block on the pipe: the parent waits with poll() and a deadline. */
    fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
    fcntl(pipe_fds[1], F_SETFD, FD_CLOEXEC);
    int output_fd = make_temporary_file();
    if (output_fd < 0) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return fail(file, ATTACH_SYSTEM_ERROR, err, "temporary file: %s", strerror(errno));
    }

    /* Anything buffered in stdio would otherwise be in the child's copy too. */
    fflush(NULL);
    double deadline = monotonic_seconds() + limits->wall_seconds;
    pid_t pid = fork();
    if (pid == 0)
        child_main(data, size, pipe_fds[1], output_fd, limits);   /* never returns */
    close(pipe_fds[1]);
    if (pid < 0) {
        close(pipe_fds[0]);
        close(output_fd);
        return fail(file, ATTACH_SYSTEM_ERROR, err, "fork: %s", strerror(errno));
    }

    char report[REPORT_MAX];
    bool timed_out;
    int wait_status = wait_for_child(pid, pipe_fds[0], deadline, report, sizeof report, &timed_out);
    close(pipe_fds[0]);
    enum attach_status status = judge_child(file, wait_status, timed_out, report, limits,
                                            output_fd, err);
    close(output_fd);
    return status;
}

/* ---- Outcomes kept per process
 *
 * A round shares few distinct PDFs among many applications, and packets
 * are rendered many to a worker process: each file is sanitised once per
 * process and its outcome (the Cairo-made copy and its page tree, or the
 * failure) is reused, keyed by SHA-256 and limits.  Timeouts and
 * system errors may pass, so they are not kept.  Bounded in entries and in
 * bytes; when full, further files are simply not kept. */

#define CACHE_ENTRIES 256
#define CACHE_BYTES ((size_t)64 << 20)

struct cached_outcome {
    char sha256[65];
    struct limits limits;
    struct attach_file *outcome;    /* status, reason, pages, sanitised copy */
};

static struct cached_outcome cache[CACHE_ENTRIES];
static int cache_count;
static size_t cache_bytes;

static bool same_limits(const struct limits *a, const struct limits *b)
{
    return a->cpu_seconds == b->cpu_seconds && a->wall_seconds == b->wall_seconds &&
           a->memory_bytes == b->memory_bytes && a->max_file_bytes == b->max_file_bytes &&
           a->max_output_bytes == b->max_output_bytes && a->max_pages == b->max_pages;
}

/* What sanitising decided, shared: the copy and its page tree are
 * referenced, not duplicated.  Name and SHA-256 stay the destination's. */
static void copy_outcome(struct attach_file *to, const struct attach_file *from)
{
    to->status = from->status;
    to->reason = g_strdup(from->reason);
    to->page_count = from->page_count;
    to->pages_shown = from->pages_shown;
    to->sanitised = from->sanitised ? g_bytes_ref(from->sanitised) : NULL;
    to->pages = from->pages ? pdfpage_source_ref(from->pages) : NULL;
}

/* Fills `file` from a kept outcome of the same bytes; false when none. */
static bool reuse_outcome(struct attach_file *file, const struct limits *limits, struct error *err,
                          enum attach_status *status)
{
    for (int i = 0; i < cache_count; i++) {
        struct cached_outcome *c = &cache[i];
        if (strcmp(c->sha256, file->sha256) != 0 || !same_limits(&c->limits, limits))
            continue;
        copy_outcome(file, c->outcome);
        if (file->status == ATTACH_TRUNCATED)
            truncation_message(file, err);
        else if (file->status != ATTACH_OK)
            error_set(err, ERROR_INVALID, "%s: %s", file->display_name, file->reason ? file->reason : "");
        *status = file->status;
        return true;
    }
    return false;
}

static void keep_outcome(const struct attach_file *file, const struct limits *limits)
{
    size_t size = file->sanitised ? g_bytes_get_size(file->sanitised) : 0;
    struct attach_file *outcome;
    if (file->status == ATTACH_TIMEOUT || file->status == ATTACH_SYSTEM_ERROR ||
        cache_count == CACHE_ENTRIES || cache_bytes + size > CACHE_BYTES ||
        !(outcome = g_try_new0(struct attach_file, 1)))
        return;
    copy_outcome(outcome, file);
    struct cached_outcome *c = &cache[cache_count++];
    snprintf(c->sha256, sizeof c->sha256, "%s", file->sha256);
    c->limits = *limits;
    c->outcome = outcome;
    cache_bytes += size;
}

void attach_forget_outcomes(void)
{
    for (int i = 0; i < cache_count; i++)
        attach_free(cache[i].outcome);
    memset(cache, 0, sizeof cache);
    cache_count = 0;
    cache_bytes = 0;
}

enum attach_status attach_prepare(const char *path, const char *display_name,
                                  const struct attach_limits *given_limits,
                                  struct attach_file **result, struct error *err)
{
    struct limits limits = resolve_limits(given_limits);
    struct attach_file *file = g_try_new0(struct attach_file, 1);

    *result = NULL;
    if (!file) {
        error_set(err, ERROR_INVALID, "out of memory");
        return ATTACH_SYSTEM_ERROR;
    }
    if (!display_name) {
        const char *slash = path ? strrchr(path, '/') : NULL;
        display_name = slash ? slash + 1 : path ? path : "";
    }
    file->display_name = g_utf8_make_valid(display_name, -1);
    file->status = ATTACH_OK;
    *result = file;
    if (!path)
        return fail(file, ATTACH_UNREADABLE, err, "no path");

    unsigned char *data = NULL;
    size_t size = 0;
    enum attach_status status = read_attachment(path, file, limits.max_file_bytes, &data, &size, err);
    if (status == ATTACH_OK && !reuse_outcome(file, &limits, err, &status)) {
        status = sanitise(file, data, size, &limits, err);
        keep_outcome(file, &limits);
    }
    g_free(data);
    return status;
}

enum attach_status attach_status_of(const struct attach_file *file)
{
    return file->status;
}

int attach_page_count(const struct attach_file *file)
{
    return file->page_count;
}

int attach_pages_shown(const struct attach_file *file)
{
    return file->pages ? file->pages_shown : 0;
}

const char *attach_sha256(const struct attach_file *file)
{
    return file->sha256;
}

void attach_free(struct attach_file *file)
{
    if (!file)
        return;
    pdfpage_source_unref(file->pages);
    if (file->sanitised)
        g_bytes_unref(file->sanitised);
    g_free(file->display_name);
    g_free(file->reason);
    g_free(file);
}

/* ---- Drawing */

/* A first page shares the page of what precedes it (the record, the
 * caption) when at least this share of a page is left for it; otherwise
 * every page of an attachment starts a page of its own. */
#define SHARED_PAGE_ROOM 0.55

static int draw_pages(struct layout_doc *doc, const struct attach_file *file)
{
    const struct layout_style label = { .size = 9, .bold = true, .color = LABEL_COLOR };
    const struct layout_style note = { .size = 9 };
    struct layout_box content = layout_content_box(doc);

    for (int k = 0; k < file->pages_shown; k++) {
        char *text = g_strdup_printf("附件：%s　第 %d / %d 頁", file->display_name, k + 1,
                                     file->page_count);
        double label_height = layout_text_height(doc, &label, text, content.width) + 4;
        if (k > 0 || layout_remaining(doc) - label_height < SHARED_PAGE_ROOM * content.height)
            layout_new_page(doc);
        /* Held: the label (and a caption held before it) go with the page. */
        layout_heading(doc, &label, text);
        g_free(text);
        if (k == file->pages_shown - 1 && file->pages_shown < file->page_count) {
            char *message = g_strdup_printf("此附件共 %d 頁，僅顯示前 %d 頁；其餘 %d 頁未收錄於本文件。",
                                            file->page_count, file->pages_shown,
                                            file->page_count - file->pages_shown);
            layout_space(doc, 3);
            layout_notice(doc, &note, message, NOTE_FRAME, NOTE_FILL);
            g_free(message);
        }
        layout_space(doc, 4);

        if (layout_pdf_page(doc, file->pages, k, layout_remaining(doc)) != 0)
            return -1;
    }
    return 0;
}

/* The framed 附件無法顯示 box: a one-column table whose header row is the
 * headline, so the box keeps together and reads as one card. */
static int draw_placeholder(struct layout_doc *doc, const struct attach_file *file)
{
    const struct layout_style headline = { .size = 11, .bold = true, .color = PLACEHOLDER_FRAME };
    const struct layout_style body = { .size = 9.5 };
    const struct layout_column column = { .fraction = 1 };
    const struct layout_cell header = { .text = "附件無法顯示" };
    const struct layout_table table = {
        .columns = &column, .column_count = 1, .header = &header, .header_style = &headline,
        .body_style = &body, .padding = 7, .border_width = 1, .border_color = PLACEHOLDER_FRAME,
        .header_fill = PLACEHOLDER_HEADER_FILL,
    };
    char *details = g_strdup_printf("檔名：%s\nSHA-256：%s\n原因：%s%s%s%s",
                                    file->display_name,
                                    file->sha256[0] ? file->sha256 : "（無法計算）",
                                    status_reason(file->status),
                                    file->reason ? "（" : "", file->reason ? file->reason : "",
                                    file->reason ? "）" : "");
    const struct layout_cell cell = { .text = details, .fill = PLACEHOLDER_FILL };

    int status = layout_table_begin(doc, &table);
    if (status == 0)
        status = layout_table_row(doc, &cell);
    if (status == 0)
        status = layout_table_end(doc);
    g_free(details);
    return status;
}

int attach_draw(struct layout_doc *doc, const struct attach_file *file)
{
    if (!file)
        return layout_fail(doc, "attach_draw without an attachment");
    if (file->pages && (file->status == ATTACH_OK || file->status == ATTACH_TRUNCATED))
        return draw_pages(doc, file);
    return draw_placeholder(doc, file);
}
