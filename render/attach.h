/* attach — applicants' PDF attachments, drawn page by page into a document.
 *
 * An applicant's PDF is untrusted input, so poppler never parses it in the
 * calling process.  attach_prepare() forks a child with CPU-time, memory
 * and output-size limits, a wall-clock timeout, and no open files but
 * /dev/null, a status pipe and its output file.  The child opens the PDF
 * with poppler and re-renders each page as vectors into a fresh Cairo PDF
 * (the "sanitised copy", written to an unlinked temporary file), then
 * reports one status line on the pipe.  It mends the widths Cairo 1.16
 * gets wrong in some CFF fonts (pdfpage_correct_cff_widths(), measured
 * with FreeType).  Before it reports success it reads
 * its copy back as the parent will (pdfpage.h), so a copy the parent could
 * not place becomes a placeholder here, not a failed document there.  The
 * parent never interprets the copy: attach_draw() places its pages with
 * layout_pdf_page(), which copies their objects (content streams, fonts,
 * images) byte for byte into the document, each page scaled to the content
 * box, framed and labelled with the file name and "page k / n".  The
 * parent's only reading of it is pdfpage's bounded parse of the xref table
 * and the objects the pages use.  (The copy is trusted because Cairo wrote
 * it.  A child taken over by a hostile file could write anything there,
 * and its bytes would reach reviewers' viewers; but such a child, running
 * as the same user, could as well write anywhere else: these limits bound
 * resources, they are not a security sandbox.)
 *
 * When the child fails — malformed, encrypted, too slow, too big, crashed —
 * the attachment becomes a framed placeholder saying 附件無法顯示 with the
 * file's display name and SHA-256, and the document goes on.
 *
 * Requirements on the caller: SIGCHLD must not be ignored (the child is
 * reaped with waitpid), and attach_prepare() should run before
 * layout_render(), not inside a content function, since the content runs
 * twice.  Not thread-safe (it forks the calling process). */
#ifndef BEISHEN_ATTACH_H
#define BEISHEN_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

#include "render/layout.h"
#include "core/error.h"

enum attach_status {
    ATTACH_OK = 0,            /* every page is ready to draw */
    ATTACH_TRUNCATED,         /* ready, but only the first max_pages pages */
    ATTACH_UNREADABLE,        /* could not be opened or read */
    ATTACH_TOO_LARGE,         /* file larger than max_file_bytes */
    ATTACH_MALFORMED,         /* not a PDF poppler can open, or no pages */
    ATTACH_ENCRYPTED,         /* needs a password */
    ATTACH_TIMEOUT,           /* killed after wall_seconds */
    ATTACH_LIMIT,             /* hit the CPU-time or output-size limit */
    ATTACH_CRASHED,           /* the child died on a signal: a poppler crash, or
                                 running out of its memory limit */
    ATTACH_SYSTEM_ERROR       /* fork, pipe, temporary file or memory failed here */
};

/* Zero fields take the defaults in brackets. */
struct attach_limits {
    unsigned cpu_seconds;     /* CPU time of the child [20] */
    unsigned wall_seconds;    /* wall-clock time before the child is killed [30] */
    size_t memory_bytes;      /* address space the child may add to what it
                                 inherits from this process [1 GiB] */
    size_t max_file_bytes;    /* largest attachment accepted [50 MiB] */
    size_t max_output_bytes;  /* largest sanitised copy [200 MiB] */
    int max_pages;            /* pages drawn per attachment [20] */
};

struct attach_file;

/* Reads the file at `path`, sanitises it in a child process and returns in
 * *file an attachment ready for attach_draw() whatever happened (a failed
 * one draws as a placeholder); `display_name` is what the document shows
 * (NULL: the last component of `path`).  `limits` may be NULL.  Returns the
 * status; for anything but ATTACH_OK, `err` says what went wrong in detail.
 * *file is NULL only when memory ran out (ATTACH_SYSTEM_ERROR).  The caller
 * frees *file with attach_free(). */
enum attach_status attach_prepare(const char *path, const char *display_name,
                                  const struct attach_limits *limits,
                                  struct attach_file **file, struct error *err);

enum attach_status attach_status_of(const struct attach_file *file);
/* A fixed English word for logs and the database: "ok", "truncated",
 * "unreadable", "too-large", "malformed", "encrypted", "timeout", "limit",
 * "crashed", "system-error". */
const char *attach_status_name(enum attach_status status);
/* Pages in the applicant's file (0 when it could not be opened), and how
 * many of them attach_draw() shows. */
int attach_page_count(const struct attach_file *file);
int attach_pages_shown(const struct attach_file *file);
/* Lowercase hex SHA-256 of the file's bytes; "" if it could not be read.
 * Owned by `file`. */
const char *attach_sha256(const struct attach_file *file);

/* Draws the attachment at the document's cursor: each page on a page of its
 * own under a label line, or the placeholder box.  Returns 0 or -1, as
 * layout primitives do.  `file` must outlive the layout_render() call. */
int attach_draw(struct layout_doc *doc, const struct attach_file *file);

void attach_free(struct attach_file *file);

/* attach_prepare() sanitises each distinct file (by SHA-256) once per
 * process and reuses the outcome; this releases what it keeps.  Files
 * already prepared stay valid (they hold their own references). */
void attach_forget_outcomes(void);

#endif
