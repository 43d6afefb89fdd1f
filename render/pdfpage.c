/* pdfpage — pages of one PDF drawn in another by copying their objects
 * (see pdfpage.h).  Owns a small reader of Cairo-shaped PDFs (tokens,
 * values, the xref table, the page tree), the writer of the incremental
 * update that places pages, and the rewrite that mends the /W widths
 * Cairo gets wrong in CFF fonts.  A parsed value points into the
 * file's bytes for its tokens, so parsing copies nothing but structure. */
#include "render/pdfpage.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* Hard caps on what a file may make us allocate or recurse into. */
#define MAX_DEPTH 32
#define MAX_ITEMS ((size_t)1 << 20)       /* entries of one array or dict */
#define MAX_OBJECTS ((size_t)1 << 22)
#define MAX_PAGES 100000
#define MAX_TREE_DEPTH 16
#define TAIL_BYTES 1024                   /* where startxref is looked for */
#define MAX_PAGE_SIDE 14400.0             /* points: PDF's own limit (Annex C) */
#define MAX_FONT_PROGRAM ((size_t)64 << 20)   /* a font program, decoded */
#define MAX_CID 65536

/* ---- Values */

enum value_kind { VALUE_ATOM, VALUE_NAME, VALUE_STRING, VALUE_ARRAY, VALUE_DICT, VALUE_REF };

/* An atom is a number, true, false or null; names keep their '/' and
 * strings their delimiters, so every token is written back as it was read. */
struct value {
    enum value_kind kind;
    const unsigned char *text;
    size_t length;
    unsigned long number;          /* VALUE_REF: the object referred to */
    struct value *items;           /* VALUE_ARRAY: items; VALUE_DICT: key, value, key, value … */
    size_t count;
};

struct object {
    struct value value;
    const unsigned char *stream;   /* raw (still encoded) stream data, or NULL */
    size_t stream_length;
};

struct pdf {
    const unsigned char *data;
    size_t size;
    size_t *offsets;               /* by object number; 0: not in use */
    size_t object_count;
    size_t xref_offset;
    unsigned long root, info;      /* 0: none */
    unsigned long *pages;          /* page objects in order */
    size_t page_count;
    size_t tree_nodes;             /* page tree objects visited while reading */
};

struct reader {
    const struct pdf *pdf;
    size_t pos;
    struct error *err;
};

static void value_clear(struct value *v)
{
    for (size_t i = 0; i < v->count; i++)
        value_clear(&v->items[i]);
    free(v->items);
    memset(v, 0, sizeof *v);
}

static void object_clear(struct object *o)
{
    value_clear(&o->value);
    memset(o, 0, sizeof *o);
}

static bool is_white(unsigned char c)
{
    return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static bool is_delimiter(unsigned char c)
{
    return c && strchr("()<>[]{}/%", c) != NULL;
}

static bool is_regular(unsigned char c)
{
    return !is_white(c) && !is_delimiter(c);
}

static int reader_fail(struct reader *r, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int reader_fail(struct reader *r, const char *format, ...)
{
    char message[256];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    return error_set(r->err, ERROR_INVALID, "PDF offset %zu: %s", r->pos, message);
}

static void skip_space(struct reader *r)
{
    const unsigned char *d = r->pdf->data;
    while (r->pos < r->pdf->size) {
        if (is_white(d[r->pos]))
            r->pos++;
        else if (d[r->pos] == '%')
            while (r->pos < r->pdf->size && d[r->pos] != '\n' && d[r->pos] != '\r')
                r->pos++;
        else
            break;
    }
}

/* The regular characters at the cursor (after space), possibly none. */
static size_t regular_token(struct reader *r, const unsigned char **text)
{
    skip_space(r);
    size_t start = r->pos;
    while (r->pos < r->pdf->size && is_regular(r->pdf->data[r->pos]))
        r->pos++;
    *text = r->pdf->data + start;
    return r->pos - start;
}

static bool token_is(const unsigned char *text, size_t length, const char *word)
{
    return length == strlen(word) && memcmp(text, word, length) == 0;
}

/* An unsigned decimal integer token, below 2^40. */
static bool token_unsigned(const unsigned char *text, size_t length, unsigned long *number)
{
    if (length == 0 || length > 12)
        return false;
    unsigned long n = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        n = n * 10 + (unsigned long)(text[i] - '0');
    }
    *number = n;
    return true;
}

static bool expect_word(struct reader *r, const char *word)
{
    const unsigned char *text;
    size_t length = regular_token(r, &text);
    return token_is(text, length, word);
}

static int push_item(struct reader *r, struct value *list, struct value *item)
{
    if (list->count == MAX_ITEMS) {
        value_clear(item);
        return reader_fail(r, "more than %zu entries in one array or dictionary", MAX_ITEMS);
    }
    if ((list->count & (list->count - 1)) == 0) {   /* 0, 1, 2, 4, …: grow */
        size_t room = list->count ? list->count * 2 : 4;
        struct value *items = realloc(list->items, room * sizeof *items);
        if (!items) {
            value_clear(item);
            return reader_fail(r, "out of memory");
        }
        list->items = items;
    }
    list->items[list->count++] = *item;
    return 0;
}

static int parse_value(struct reader *r, struct value *v, int depth);

static int parse_container(struct reader *r, struct value *v, int depth, bool dict)
{
    const unsigned char *d = r->pdf->data;
    v->kind = dict ? VALUE_DICT : VALUE_ARRAY;
    for (;;) {
        skip_space(r);
        if (r->pos >= r->pdf->size)
            return reader_fail(r, "unterminated %s", dict ? "dictionary" : "array");
        if (dict && r->pos + 1 < r->pdf->size && d[r->pos] == '>' && d[r->pos + 1] == '>') {
            r->pos += 2;
            return 0;
        }
        if (!dict && d[r->pos] == ']') {
            r->pos++;
            return 0;
        }
        struct value item = { 0 };
        if (parse_value(r, &item, depth + 1) != 0)
            return -1;
        if (dict && item.kind != VALUE_NAME && v->count % 2 == 0) {
            value_clear(&item);
            return reader_fail(r, "a dictionary key is not a name");
        }
        if (push_item(r, v, &item) != 0)
            return -1;
    }
}

static int parse_literal_string(struct reader *r)
{
    const unsigned char *d = r->pdf->data;
    int nesting = 0;
    while (r->pos < r->pdf->size) {
        unsigned char c = d[r->pos++];
        if (c == '\\')
            r->pos++;
        else if (c == '(')
            nesting++;
        else if (c == ')' && --nesting == 0)
            return r->pos <= r->pdf->size ? 0 : reader_fail(r, "unterminated string");
    }
    return reader_fail(r, "unterminated string");
}

static int parse_value(struct reader *r, struct value *v, int depth)
{
    const unsigned char *d = r->pdf->data;
    memset(v, 0, sizeof *v);
    if (depth > MAX_DEPTH)
        return reader_fail(r, "nested more than %d deep", MAX_DEPTH);
    skip_space(r);
    if (r->pos >= r->pdf->size)
        return reader_fail(r, "unexpected end of file");
    size_t start = r->pos;
    unsigned char c = d[r->pos];
    bool next_too = r->pos + 1 < r->pdf->size && d[r->pos + 1] == c;

    if (c == '[' || (c == '<' && next_too)) {
        r->pos += c == '[' ? 1 : 2;
        if (parse_container(r, v, depth, c == '<') != 0) {
            value_clear(v);
            return -1;
        }
        return 0;
    }
    if (c == '<') {
        r->pos++;
        while (r->pos < r->pdf->size && d[r->pos] != '>') {
            if (!g_ascii_isxdigit(d[r->pos]) && !is_white(d[r->pos]))
                return reader_fail(r, "bad character in a hex string");
            r->pos++;
        }
        if (r->pos++ >= r->pdf->size)
            return reader_fail(r, "unterminated hex string");
        v->kind = VALUE_STRING;
    } else if (c == '(') {
        if (parse_literal_string(r) != 0)
            return -1;
        v->kind = VALUE_STRING;
    } else if (c == '/') {
        r->pos++;
        while (r->pos < r->pdf->size && is_regular(d[r->pos]))
            r->pos++;
        v->kind = VALUE_NAME;
    } else if (is_regular(c)) {
        const unsigned char *text;
        size_t length = regular_token(r, &text);
        unsigned long number, generation;
        v->kind = VALUE_ATOM;
        if (token_unsigned(text, length, &number)) {
            /* "12 0 R" is a reference; "12 0" alone is two numbers. */
            size_t after = r->pos;
            const unsigned char *second, *third;
            size_t second_length = regular_token(r, &second);
            if (token_unsigned(second, second_length, &generation)) {
                size_t third_length = regular_token(r, &third);
                if (token_is(third, third_length, "R")) {
                    v->kind = VALUE_REF;
                    v->number = number;
                }
            }
            if (v->kind != VALUE_REF)
                r->pos = after;
        }
    } else
        return reader_fail(r, "unexpected '%c'", c);
    v->text = d + start;
    v->length = r->pos - start;
    return 0;
}

static const struct value *dict_get(const struct value *dict, const char *key)
{
    if (!dict || dict->kind != VALUE_DICT)
        return NULL;
    size_t length = strlen(key);
    for (size_t i = 0; i + 1 < dict->count; i += 2) {
        const struct value *k = &dict->items[i];
        if (k->length == length + 1 && memcmp(k->text + 1, key, length) == 0)
            return &dict->items[i + 1];
    }
    return NULL;
}

static bool is_name(const struct value *v, const char *name)
{
    return v && v->kind == VALUE_NAME && v->length == strlen(name) + 1 &&
           memcmp(v->text + 1, name, v->length - 1) == 0;
}

static bool value_number(const struct value *v, double *number)
{
    if (!v || v->kind != VALUE_ATOM || v->length == 0 || v->length > 40)
        return false;
    char text[41];
    memcpy(text, v->text, v->length);
    text[v->length] = '\0';
    char *end;
    *number = g_ascii_strtod(text, &end);
    return *end == '\0';
}

/* A page dictionary's /MediaBox as four finite numbers, each side 1 to
 * 14,400 points. */
static bool read_media_box(const struct value *page, double box[4])
{
    const struct value *v = dict_get(page, "MediaBox");
    if (!v || v->kind != VALUE_ARRAY || v->count != 4)
        return false;
    for (int i = 0; i < 4; i++)
        if (!value_number(&v->items[i], &box[i]))
            return false;
    return box[2] - box[0] >= 1 && box[2] - box[0] <= MAX_PAGE_SIDE &&
           box[3] - box[1] >= 1 && box[3] - box[1] <= MAX_PAGE_SIDE;
}

/* ---- Objects */

static int parse_object_as(const struct pdf *pdf, unsigned long number, bool may_be_stream,
                           struct object *o, struct error *err);

/* A stream's /Length: a number, or a reference to an object that is one.
 * That object is read as one that may not be a stream: otherwise a
 * /Length referring to its own stream, or to another stream's /Length
 * referring back, would recurse until the stack ran out. */
static int stream_length(const struct pdf *pdf, const struct value *length, size_t *out,
                         struct error *err)
{
    struct object held = { 0 };
    unsigned long n;
    if (length && length->kind == VALUE_REF) {
        if (parse_object_as(pdf, length->number, false, &held, err) != 0)
            return -1;
        length = &held.value;
    }
    bool ok = length && length->kind == VALUE_ATOM && token_unsigned(length->text, length->length, &n);
    object_clear(&held);
    if (!ok)
        return error_set(err, ERROR_INVALID, "a stream's /Length is not a number");
    *out = n;
    return 0;
}

static int parse_object_as(const struct pdf *pdf, unsigned long number, bool may_be_stream,
                           struct object *o, struct error *err)
{
    memset(o, 0, sizeof *o);
    if (number == 0 || number >= pdf->object_count || pdf->offsets[number] == 0)
        return error_set(err, ERROR_INVALID, "object %lu is not in the xref table", number);
    struct reader r = { pdf, pdf->offsets[number], err };
    const unsigned char *text;
    size_t length = regular_token(&r, &text);
    unsigned long found;
    if (!token_unsigned(text, length, &found) || found != number || !expect_word(&r, "0") ||
        !expect_word(&r, "obj"))
        return reader_fail(&r, "object %lu (generation 0) does not start here", number);
    if (parse_value(&r, &o->value, 0) != 0)
        return -1;

    length = regular_token(&r, &text);
    if (token_is(text, length, "stream")) {
        if (!may_be_stream) {
            object_clear(o);
            return reader_fail(&r, "object %lu: a stream where a number was expected", number);
        }
        if (o->value.kind != VALUE_DICT) {
            object_clear(o);
            return reader_fail(&r, "object %lu: a stream without a dictionary", number);
        }
        if (r.pos < pdf->size && pdf->data[r.pos] == '\r')
            r.pos++;
        if (r.pos < pdf->size && pdf->data[r.pos] == '\n')
            r.pos++;
        size_t data_length = 0;
        if (stream_length(pdf, dict_get(&o->value, "Length"), &data_length, err) != 0) {
            object_clear(o);
            return -1;
        }
        if (data_length > pdf->size - r.pos) {
            object_clear(o);
            return reader_fail(&r, "object %lu: stream runs past the end of the file", number);
        }
        o->stream = pdf->data + r.pos;
        o->stream_length = data_length;
        r.pos += data_length;
        if (!expect_word(&r, "endstream")) {
            object_clear(o);
            return reader_fail(&r, "object %lu: no endstream after /Length bytes", number);
        }
        length = regular_token(&r, &text);
    }
    if (!token_is(text, length, "endobj")) {
        object_clear(o);
        return reader_fail(&r, "object %lu: no endobj", number);
    }
    return 0;
}

static int parse_object(const struct pdf *pdf, unsigned long number, struct object *o,
                        struct error *err)
{
    return parse_object_as(pdf, number, true, o, err);
}

/* `v`, or the object it refers to (held in `holder`, cleared by the caller). */
static const struct value *resolve(const struct pdf *pdf, const struct value *v,
                                   struct object *holder, struct error *err)
{
    memset(holder, 0, sizeof *holder);
    if (!v || v->kind != VALUE_REF)
        return v;
    if (parse_object(pdf, v->number, holder, err) != 0)
        return NULL;
    return &holder->value;
}

/* ---- The file: xref table, trailer, page tree */

static int read_xref(struct pdf *pdf, struct error *err)
{
    const unsigned char *tail = NULL;
    size_t from = pdf->size > TAIL_BYTES ? pdf->size - TAIL_BYTES : 0;
    for (size_t i = pdf->size; i >= from + 9 && !tail; i--)
        if (memcmp(pdf->data + i - 9, "startxref", 9) == 0)
            tail = pdf->data + i - 9;
    if (!tail)
        return error_set(err, ERROR_INVALID, "no startxref in the last %d bytes", TAIL_BYTES);
    struct reader r = { pdf, (size_t)(tail - pdf->data) + 9, err };
    const unsigned char *text;
    size_t length = regular_token(&r, &text);
    unsigned long offset;
    if (!token_unsigned(text, length, &offset) || offset >= pdf->size)
        return reader_fail(&r, "startxref is not an offset in the file");
    pdf->xref_offset = offset;
    r.pos = offset;
    if (!expect_word(&r, "xref"))
        return reader_fail(&r, "no classic xref table at startxref (object streams are not read)");

    for (;;) {
        size_t here = r.pos;
        length = regular_token(&r, &text);
        if (token_is(text, length, "trailer"))
            break;
        unsigned long first, count;
        if (!token_unsigned(text, length, &first)) {
            r.pos = here;
            return reader_fail(&r, "bad xref subsection");
        }
        length = regular_token(&r, &text);
        if (!token_unsigned(text, length, &count) || first + count > MAX_OBJECTS ||
            count > (pdf->size - r.pos) / 18)
            return reader_fail(&r, "bad xref subsection size");
        if (first + count > pdf->object_count) {
            size_t *grown = realloc(pdf->offsets, (first + count) * sizeof *grown);
            if (!grown)
                return reader_fail(&r, "out of memory");
            memset(grown + pdf->object_count, 0, (first + count - pdf->object_count) * sizeof *grown);
            pdf->offsets = grown;
            pdf->object_count = first + count;
        }
        for (unsigned long i = 0; i < count; i++) {
            unsigned long entry_offset, generation;
            const unsigned char *kind;
            size_t a = regular_token(&r, &text);
            bool ok = token_unsigned(text, a, &entry_offset);
            a = regular_token(&r, &text);
            ok = ok && token_unsigned(text, a, &generation);
            a = regular_token(&r, &kind);
            if (!ok || a != 1 || (kind[0] != 'n' && kind[0] != 'f'))
                return reader_fail(&r, "bad xref entry");
            if (kind[0] == 'n') {
                if (entry_offset == 0 || entry_offset >= pdf->size || generation != 0)
                    return reader_fail(&r, "xref entry of object %lu out of range", first + i);
                pdf->offsets[first + i] = entry_offset;
            }
        }
    }

    struct value trailer;
    if (parse_value(&r, &trailer, 0) != 0)
        return -1;
    const struct value *root = dict_get(&trailer, "Root"), *info = dict_get(&trailer, "Info");
    int status = 0;
    if (trailer.kind != VALUE_DICT || !root || root->kind != VALUE_REF)
        status = reader_fail(&r, "the trailer has no /Root");
    else if (dict_get(&trailer, "Prev") || dict_get(&trailer, "XRefStm") || dict_get(&trailer, "Encrypt"))
        status = reader_fail(&r, "an updated, hybrid or encrypted file (not Cairo's)");
    else {
        pdf->root = root->number;
        pdf->info = info && info->kind == VALUE_REF ? info->number : 0;
    }
    value_clear(&trailer);
    return status;
}

static int add_pages(struct pdf *pdf, unsigned long node, int depth, struct error *err)
{
    if (depth > MAX_TREE_DEPTH)
        return error_set(err, ERROR_INVALID, "the page tree is more than %d deep", MAX_TREE_DEPTH);
    if (++pdf->tree_nodes > 2 * MAX_PAGES)
        return error_set(err, ERROR_INVALID, "the page tree has more than %d nodes", 2 * MAX_PAGES);
    struct object o;
    if (parse_object(pdf, node, &o, err) != 0)
        return -1;
    const struct value *type = dict_get(&o.value, "Type"), *kids = dict_get(&o.value, "Kids");
    int status = 0;
    if (is_name(type, "Page")) {
        if (pdf->page_count == MAX_PAGES)
            status = error_set(err, ERROR_INVALID, "more than %d pages", MAX_PAGES);
        else if ((pdf->page_count & (pdf->page_count - 1)) == 0) {
            size_t room = pdf->page_count ? pdf->page_count * 2 : 4;
            unsigned long *pages = realloc(pdf->pages, room * sizeof *pages);
            if (!pages)
                status = error_set(err, ERROR_INVALID, "out of memory");
            else
                pdf->pages = pages;
        }
        if (status == 0)
            pdf->pages[pdf->page_count++] = node;
    } else if (is_name(type, "Pages") && kids && kids->kind == VALUE_ARRAY) {
        for (size_t i = 0; i < kids->count && status == 0; i++)
            status = kids->items[i].kind == VALUE_REF
                ? add_pages(pdf, kids->items[i].number, depth + 1, err)
                : error_set(err, ERROR_INVALID, "object %lu: a /Kids entry is not a reference", node);
    } else
        status = error_set(err, ERROR_INVALID, "object %lu is neither /Page nor /Pages with /Kids", node);
    object_clear(&o);
    return status;
}

static void pdf_close(struct pdf *pdf)
{
    free(pdf->offsets);
    free(pdf->pages);
    memset(pdf, 0, sizeof *pdf);
}

static int pdf_open(struct pdf *pdf, const unsigned char *data, size_t size, struct error *err)
{
    memset(pdf, 0, sizeof *pdf);
    pdf->data = data;
    pdf->size = size;
    struct object catalog = { 0 };
    int status = read_xref(pdf, err);
    if (status == 0)
        status = parse_object(pdf, pdf->root, &catalog, err);
    const struct value *pages = status == 0 ? dict_get(&catalog.value, "Pages") : NULL;
    if (status == 0 && (!pages || pages->kind != VALUE_REF))
        status = error_set(err, ERROR_INVALID, "the catalog has no /Pages");
    if (status == 0)
        status = add_pages(pdf, pages->number, 0, err);
    object_clear(&catalog);
    if (status == 0 && pdf->page_count == 0)
        status = error_set(err, ERROR_INVALID, "no pages");
    if (status != 0)
        pdf_close(pdf);
    return status;
}

/* ---- Sources */

struct pdfpage_source {
    int references;
    GBytes *bytes;
    struct pdf pdf;
    double (*boxes)[4];           /* each page's MediaBox */
};

/* Every object reachable from `v`, parsed once: what pdfpage_append()
 * will copy.  Pages and the catalog are never among them. */
static int check_reachable(const struct pdf *pdf, const struct value *v, bool *seen, int depth,
                           struct error *err)
{
    if (depth > MAX_DEPTH)
        return error_set(err, ERROR_INVALID, "references nested more than %d deep", MAX_DEPTH);
    if (v->kind == VALUE_ARRAY || v->kind == VALUE_DICT) {
        for (size_t i = 0; i < v->count; i++)
            if (check_reachable(pdf, &v->items[i], seen, depth, err) != 0)
                return -1;
        return 0;
    }
    if (v->kind != VALUE_REF || (v->number < pdf->object_count && seen[v->number]))
        return 0;
    struct object o;
    if (parse_object(pdf, v->number, &o, err) != 0)
        return -1;
    seen[v->number] = true;
    const struct value *type = dict_get(&o.value, "Type");
    int status = is_name(type, "Page") || is_name(type, "Pages") || is_name(type, "Catalog")
        ? error_set(err, ERROR_INVALID, "object %lu: page resources reach the page tree", v->number)
        : check_reachable(pdf, &o.value, seen, depth + 1, err);
    object_clear(&o);
    return status;
}

/* What a page must have to become a Form XObject: a MediaBox of four
 * numbers, no rotation, one content stream, and resources (or none).
 * With check_all, everything form_number() will copy: what the
 * resources, the transparency group and the stream's dictionary reach. */
static int check_page(struct pdfpage_source *source, size_t index, bool check_all, bool *seen,
                      struct error *err)
{
    const struct pdf *pdf = &source->pdf;
    struct object page, stream = { 0 };
    if (parse_object(pdf, pdf->pages[index], &page, err) != 0)
        return -1;
    int status = 0;
    const struct value *rotate = dict_get(&page.value, "Rotate");
    const struct value *contents = dict_get(&page.value, "Contents");
    double rotation = 0;
    if (!read_media_box(&page.value, source->boxes[index]))
        status = error_set(err, ERROR_INVALID, "page %zu: no usable /MediaBox", index + 1);
    else if (rotate && (!value_number(rotate, &rotation) || rotation != 0))
        status = error_set(err, ERROR_INVALID, "page %zu: rotated pages are not read", index + 1);
    else if (!contents || contents->kind != VALUE_REF)
        status = error_set(err, ERROR_INVALID, "page %zu: /Contents is not one stream", index + 1);
    else if (parse_object(pdf, contents->number, &stream, err) != 0)
        status = -1;
    else if (!stream.stream)
        status = error_set(err, ERROR_INVALID, "page %zu: /Contents is not a stream", index + 1);

    const struct value *reached[] = {
        dict_get(&page.value, "Resources"), dict_get(&page.value, "Group"), &stream.value,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(reached) && status == 0 && check_all; i++)
        if (reached[i])
            status = check_reachable(pdf, reached[i], seen, 0, err);
    object_clear(&stream);
    object_clear(&page);
    return status;
}

struct pdfpage_source *pdfpage_source_open(GBytes *bytes, bool check_all, struct error *err)
{
    size_t size;
    const unsigned char *data = g_bytes_get_data(bytes, &size);
    struct pdfpage_source *source = g_new0(struct pdfpage_source, 1);
    source->references = 1;
    source->bytes = g_bytes_ref(bytes);
    if (pdf_open(&source->pdf, data, size, err) != 0) {
        pdfpage_source_unref(source);
        return NULL;
    }
    source->boxes = g_malloc0_n(source->pdf.page_count, sizeof *source->boxes);
    bool *seen = check_all ? g_new0(bool, source->pdf.object_count) : NULL;
    int status = 0;
    for (size_t i = 0; i < source->pdf.page_count && status == 0; i++)
        status = check_page(source, i, check_all, seen, err);
    g_free(seen);
    if (status != 0) {
        pdfpage_source_unref(source);
        return NULL;
    }
    return source;
}

struct pdfpage_source *pdfpage_source_ref(struct pdfpage_source *source)
{
    source->references++;
    return source;
}

void pdfpage_source_unref(struct pdfpage_source *source)
{
    if (!source || --source->references > 0)
        return;
    pdf_close(&source->pdf);
    g_free(source->boxes);
    g_bytes_unref(source->bytes);
    g_free(source);
}

int pdfpage_source_pages(const struct pdfpage_source *source)
{
    return (int)source->pdf.page_count;
}

void pdfpage_source_size(const struct pdfpage_source *source, int page, double *width,
                         double *height)
{
    const double *b = source->boxes[page];
    *width = b[2] - b[0];
    *height = b[3] - b[1];
}

/* ---- The incremental update */

struct copied_key {
    const struct pdf *source;
    unsigned long number;          /* source object; for forms, the page index */
};

struct pending_copy {
    const struct pdf *source;
    unsigned long from, to;
};

struct xref_entry {
    unsigned long number;
    size_t offset;
};

struct writer {
    FILE *file;
    size_t position;               /* offset in the target of the next byte written */
    unsigned long next_number;
    GArray *entries;               /* struct xref_entry */
    GHashTable *copied;            /* struct copied_key -> new number */
    GHashTable *forms;             /* struct copied_key (page index) -> form's number */
    GQueue pending;                /* struct pending_copy, copied but not yet written */
    bool write_failed;
    struct error *err;
};

static guint copied_hash(const void *key)
{
    const struct copied_key *k = key;
    return g_direct_hash(k->source) ^ (guint)(k->number * 2654435761u);
}

static gboolean copied_equal(const void *a, const void *b)
{
    const struct copied_key *x = a, *y = b;
    return x->source == y->source && x->number == y->number;
}

static void out(struct writer *w, const void *data, size_t length)
{
    if (length && fwrite(data, 1, length, w->file) != length)
        w->write_failed = true;
    w->position += length;
}

static void outf(struct writer *w, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void outf(struct writer *w, const char *format, ...)
{
    char buffer[256];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    out(w, buffer, length > 0 ? (size_t)length : 0);
}

/* A coordinate, the way PDF writers print them: fixed point, no exponent. */
static void out_number(struct writer *w, double value)
{
    char buffer[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(buffer, sizeof buffer, "%.4f", fabs(value) < 0.00005 ? 0 : value);
    size_t length = strlen(buffer);
    while (length > 1 && buffer[length - 1] == '0')
        length--;
    if (buffer[length - 1] == '.')
        length--;
    out(w, buffer, length);
    out(w, " ", 1);
}

static void begin_object(struct writer *w, unsigned long number)
{
    struct xref_entry entry = { number, w->position };
    g_array_append_val(w->entries, entry);
    outf(w, "%lu 0 obj\n", number);
}

/* The number a source object gets in the target, queued for copying the
 * first time it is asked for. */
static unsigned long copied_number(struct writer *w, const struct pdf *source, unsigned long from)
{
    struct copied_key key = { source, from };
    void *found = g_hash_table_lookup(w->copied, &key);
    if (found)
        return GPOINTER_TO_SIZE(found);
    struct copied_key *stored = g_new(struct copied_key, 1);
    *stored = key;
    unsigned long to = w->next_number++;
    g_hash_table_insert(w->copied, stored, GSIZE_TO_POINTER(to));
    struct pending_copy *copy = g_new(struct pending_copy, 1);
    *copy = (struct pending_copy){ source, from, to };
    g_queue_push_tail(&w->pending, copy);
    return to;
}

static void write_value(struct writer *w, const struct pdf *source, const struct value *v);

/* The " /Key value" pairs of `dict`, leaving out the keys `skip` names
 * (NULL-terminated list, may be NULL). */
static void write_entries(struct writer *w, const struct pdf *source, const struct value *dict,
                          const char *const *skip)
{
    for (size_t i = 0; dict && dict->kind == VALUE_DICT && i + 1 < dict->count; i += 2) {
        bool skipped = false;
        for (size_t k = 0; skip && skip[k] && !skipped; k++)
            skipped = is_name(&dict->items[i], skip[k]);
        if (skipped)
            continue;
        out(w, " ", 1);
        write_value(w, source, &dict->items[i]);
        out(w, " ", 1);
        write_value(w, source, &dict->items[i + 1]);
    }
}

/* Writes `v`; references are renumbered into the target when `source` is
 * given, kept as they are (the target's own) when it is NULL. */
static void write_value(struct writer *w, const struct pdf *source, const struct value *v)
{
    switch (v->kind) {
    case VALUE_ATOM:
    case VALUE_NAME:
    case VALUE_STRING:
        out(w, v->text, v->length);
        break;
    case VALUE_REF:
        outf(w, "%lu 0 R", source ? copied_number(w, source, v->number) : v->number);
        break;
    case VALUE_ARRAY:
        out(w, "[", 1);
        for (size_t i = 0; i < v->count; i++) {
            out(w, " ", 1);
            write_value(w, source, &v->items[i]);
        }
        out(w, " ]", 2);
        break;
    case VALUE_DICT:
        out(w, "<<", 2);
        write_entries(w, source, v, NULL);
        out(w, " >>", 3);
        break;
    }
}

static void write_stream_body(struct writer *w, const unsigned char *data, size_t length)
{
    outf(w, " /Length %zu >>\nstream\n", length);
    out(w, data, length);
    out(w, "\nendstream\nendobj\n", 18);
}

static int copy_object(struct writer *w, const struct pending_copy *copy)
{
    struct object o;
    if (parse_object(copy->source, copy->from, &o, w->err) != 0)
        return -1;
    const struct value *type = dict_get(&o.value, "Type");
    if (is_name(type, "Page") || is_name(type, "Pages") || is_name(type, "Catalog")) {
        object_clear(&o);
        return error_set(w->err, ERROR_INVALID, "object %lu: page resources reach the page tree", copy->from);
    }
    begin_object(w, copy->to);
    if (o.stream) {
        /* The dictionary with the real length in place of the old one. */
        static const char *const length[] = { "Length", NULL };
        out(w, "<<", 2);
        write_entries(w, copy->source, &o.value, length);
        write_stream_body(w, o.stream, o.stream_length);
    } else {
        write_value(w, copy->source, &o.value);
        out(w, "\nendobj\n", 8);
    }
    object_clear(&o);
    return 0;
}

static int copy_pending(struct writer *w)
{
    struct pending_copy *copy;
    int status = 0;
    while ((copy = g_queue_pop_head(&w->pending))) {
        if (status == 0)
            status = copy_object(w, copy);
        g_free(copy);
    }
    return status;
}

/* The Form XObject of source page `index`, written (with everything it
 * uses) the first time it is asked for.  Returns its number, or 0. */
static unsigned long form_number(struct writer *w, const struct pdfpage_source *source, int index)
{
    const struct pdf *pdf = &source->pdf;
    struct copied_key key = { pdf, (unsigned long)index };
    void *found = g_hash_table_lookup(w->forms, &key);
    if (found)
        return GPOINTER_TO_SIZE(found);

    struct object page, contents = { 0 };
    if (parse_object(pdf, pdf->pages[index], &page, w->err) != 0)
        return 0;
    const struct value *reference = dict_get(&page.value, "Contents");
    if (!reference || reference->kind != VALUE_REF ||
        parse_object(pdf, reference->number, &contents, w->err) != 0 || !contents.stream) {
        object_clear(&contents);
        object_clear(&page);
        error_set(w->err, ERROR_INVALID, "source page %d: /Contents is not one stream", index + 1);
        return 0;
    }
    unsigned long number = w->next_number++;
    begin_object(w, number);
    out(w, "<< /Type /XObject /Subtype /Form /BBox [ ", 41);
    for (int i = 0; i < 4; i++)
        out_number(w, source->boxes[index][i]);
    out(w, "]", 1);
    static const char *const from_page[] = { "Resources", "Group" };
    static const char *const from_stream[] = { "Filter", "DecodeParms" };
    for (size_t i = 0; i < G_N_ELEMENTS(from_page); i++) {
        const struct value *v = dict_get(&page.value, from_page[i]);
        if (v) {
            outf(w, " /%s ", from_page[i]);
            write_value(w, pdf, v);
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(from_stream); i++) {
        const struct value *v = dict_get(&contents.value, from_stream[i]);
        if (v) {
            outf(w, " /%s ", from_stream[i]);
            write_value(w, pdf, v);
        }
    }
    write_stream_body(w, contents.stream, contents.stream_length);
    object_clear(&contents);
    object_clear(&page);

    struct copied_key *stored = g_new(struct copied_key, 1);
    *stored = key;
    g_hash_table_insert(w->forms, stored, GSIZE_TO_POINTER(number));
    return copy_pending(w) == 0 ? number : 0;
}

/* What the new content stream of a target page draws for one placement:
 * the form scaled into its box, clipped to it, and the frame on top. */
/* `count` numbers, each followed by a space, in fixed point. */
static void append_numbers(GString *content, const double *numbers, size_t count, const char *format)
{
    char number[G_ASCII_DTOSTR_BUF_SIZE];
    for (size_t i = 0; i < count; i++)
        g_string_append_printf(content, "%s ", g_ascii_formatd(number, sizeof number, format, numbers[i]));
}

static void draw_placement(GString *content, const struct pdfpage_placement *p, double page_height,
                           int name)
{
    const double *b = p->source->boxes[p->page];
    double sx = p->width / (b[2] - b[0]), sy = p->height / (b[3] - b[1]);
    double bottom = page_height - p->y - p->height;
    const double clip[] = { p->x, bottom, p->width, p->height };
    const double matrix[] = { sx, 0, 0, sy, p->x - b[0] * sx, bottom - b[1] * sy };

    g_string_append(content, "q ");
    append_numbers(content, clip, G_N_ELEMENTS(clip), "%.3f");
    g_string_append(content, "re W n ");
    append_numbers(content, matrix, G_N_ELEMENTS(matrix), "%.5f");
    g_string_append_printf(content, "cm /BeishenPage%d Do Q\n", name);
    if (p->frame_width > 0) {
        const double stroke[] = { ((p->frame_color >> 16) & 0xFF) / 255.0,
                                  ((p->frame_color >> 8) & 0xFF) / 255.0,
                                  (p->frame_color & 0xFF) / 255.0 };
        g_string_append(content, "q ");
        append_numbers(content, stroke, G_N_ELEMENTS(stroke), "%.3f");
        g_string_append(content, "RG ");
        append_numbers(content, &p->frame_width, 1, "%.3f");
        g_string_append(content, "w ");
        append_numbers(content, clip, G_N_ELEMENTS(clip), "%.3f");
        g_string_append(content, "re S Q\n");
    }
}

/* A new version of target page `number` whose contents are
 * [ q-stream, the old contents, `drawn` ] and whose resources name the
 * forms `forms[0..count)` /BeishenPage0 …  */
static int rewrite_page(struct writer *w, const struct pdf *target, unsigned long number,
                        const struct object *parsed, unsigned long q_stream, unsigned long drawn,
                        const unsigned long *forms, size_t count)
{
    const struct object page = *parsed;
    struct object resources_holder, xobjects_holder;
    const struct value *resources = resolve(target, dict_get(&page.value, "Resources"),
                                            &resources_holder, w->err);
    const struct value *xobjects = resources ? resolve(target, dict_get(resources, "XObject"),
                                                       &xobjects_holder, w->err) : NULL;
    if (!resources)
        memset(&xobjects_holder, 0, sizeof xobjects_holder);
    int status = 0;
    if (dict_get(&page.value, "Resources") && (!resources || resources->kind != VALUE_DICT))
        status = error_set(w->err, ERROR_INVALID, "target page object %lu: unreadable /Resources", number);
    else if (resources && dict_get(resources, "XObject") && (!xobjects || xobjects->kind != VALUE_DICT))
        status = error_set(w->err, ERROR_INVALID, "target page object %lu: unreadable /XObject", number);
    for (size_t i = 0; status == 0 && xobjects && i + 1 < xobjects->count; i += 2)
        if (xobjects->items[i].length > 12 && memcmp(xobjects->items[i].text, "/BeishenPage", 12) == 0)
            status = error_set(w->err, ERROR_INVALID, "target page object %lu already names /BeishenPage…", number);

    if (status == 0) {
        static const char *const replaced[] = { "Contents", "Resources", NULL };
        static const char *const xobject[] = { "XObject", NULL };
        begin_object(w, number);
        out(w, "<<", 2);
        write_entries(w, NULL, &page.value, replaced);
        const struct value *contents = dict_get(&page.value, "Contents");
        outf(w, " /Contents [ %lu 0 R", q_stream);
        if (contents && contents->kind == VALUE_ARRAY)
            for (size_t i = 0; i < contents->count; i++) {
                out(w, " ", 1);
                write_value(w, NULL, &contents->items[i]);
            }
        else if (contents) {
            out(w, " ", 1);
            write_value(w, NULL, contents);
        }
        outf(w, " %lu 0 R ] /Resources <<", drawn);
        write_entries(w, NULL, resources, xobject);
        out(w, " /XObject <<", 12);
        write_entries(w, NULL, xobjects, NULL);
        for (size_t i = 0; i < count; i++)
            outf(w, " /BeishenPage%zu %lu 0 R", i, forms[i]);
        out(w, " >> >> >>\nendobj\n", 17);
    }
    object_clear(&xobjects_holder);
    object_clear(&resources_holder);
    return status;
}

static unsigned long write_small_stream(struct writer *w, const char *data, size_t length)
{
    unsigned long number = w->next_number++;
    begin_object(w, number);
    out(w, "<<", 2);
    write_stream_body(w, (const unsigned char *)data, length);
    return number;
}

/* Every placement on one target page: forms, the drawing stream, the page. */
static int place_on_page(struct writer *w, const struct pdf *target,
                         const struct pdfpage_placement *placements, size_t count,
                         unsigned long *q_stream)
{
    unsigned long page = target->pages[placements[0].target_page - 1];
    struct object parsed;
    double box[4];
    if (parse_object(target, page, &parsed, w->err) != 0)
        return -1;
    if (!read_media_box(&parsed.value, box)) {
        object_clear(&parsed);
        return error_set(w->err, ERROR_INVALID, "target page object %lu has no /MediaBox", page);
    }
    double height = box[3] - box[1];
    unsigned long *forms = g_new(unsigned long, count);
    GString *content = g_string_new("Q\n");
    int status = 0;
    for (size_t i = 0; i < count && status == 0; i++) {
        forms[i] = form_number(w, placements[i].source, placements[i].page);
        if (forms[i] == 0)
            status = -1;
        else
            draw_placement(content, &placements[i], height, (int)i);
    }
    if (status == 0 && *q_stream == 0)
        *q_stream = write_small_stream(w, "q\n", 2);
    if (status == 0) {
        unsigned long drawn = write_small_stream(w, content->str, content->len);
        status = rewrite_page(w, target, page, &parsed, *q_stream, drawn, forms, count);
    }
    g_string_free(content, TRUE);
    g_free(forms);
    object_clear(&parsed);
    return status;
}

static gint entry_order(const void *a, const void *b)
{
    const struct xref_entry *x = a, *y = b;
    return x->number < y->number ? -1 : x->number > y->number;
}

/* The xref table of what `w` wrote and the trailer: of an update to
 * `target` (with /Prev), or of a whole new file (with object 0). */
static void write_xref_and_trailer(struct writer *w, const struct pdf *target, bool update)
{
    g_array_sort(w->entries, entry_order);
    size_t xref = w->position;
    out(w, "xref\n", 5);
    if (!update)
        out(w, "0 1\n0000000000 65535 f \n", 25);
    const struct xref_entry *e = (const struct xref_entry *)(void *)w->entries->data;
    for (size_t i = 0; i < w->entries->len;) {
        size_t run = 1;
        while (i + run < w->entries->len && e[i + run].number == e[i].number + run)
            run++;
        outf(w, "%lu %zu\n", e[i].number, run);
        for (size_t k = i; k < i + run; k++)
            outf(w, "%010zu 00000 n \n", e[k].offset);
        i += run;
    }
    outf(w, "trailer\n<< /Size %lu /Root %lu 0 R", w->next_number, target->root);
    if (target->info)
        outf(w, " /Info %lu 0 R", target->info);
    if (update)
        outf(w, " /Prev %zu", target->xref_offset);
    outf(w, " >>\nstartxref\n%zu\n%%%%EOF\n", xref);
}

int pdfpage_append(const unsigned char *target_data, size_t target_size,
                   const struct pdfpage_placement *placements, size_t count, FILE *file,
                   struct error *err)
{
    struct pdf target;
    if (count == 0)
        return 0;
    if (pdf_open(&target, target_data, target_size, err) != 0) {
        char message[sizeof err->message];
        snprintf(message, sizeof message, "%s", err->message);
        return error_set(err, ERROR_INTERNAL, "the document just written: %s", message);
    }
    for (size_t i = 0; i < count; i++) {
        const struct pdfpage_placement *p = &placements[i];
        if (!p->source || p->page < 0 || (size_t)p->page >= p->source->pdf.page_count ||
            p->target_page < 1 || (size_t)p->target_page > target.page_count ||
            !(p->width > 0 && p->height > 0) ||
            (i > 0 && p->target_page < placements[i - 1].target_page)) {
            pdf_close(&target);
            return error_set(err, ERROR_INTERNAL, "placement %zu is out of range or out of page order", i);
        }
    }

    struct writer w = {
        .file = file, .position = target_size, .next_number = target.object_count, .err = err,
        .entries = g_array_new(FALSE, FALSE, sizeof(struct xref_entry)),
        .copied = g_hash_table_new_full(copied_hash, copied_equal, g_free, NULL),
        .forms = g_hash_table_new_full(copied_hash, copied_equal, g_free, NULL),
    };
    g_queue_init(&w.pending);
    if (target_size > 0 && target_data[target_size - 1] != '\n')
        out(&w, "\n", 1);
    unsigned long q_stream = 0;
    int status = 0;
    for (size_t first = 0; first < count && status == 0;) {
        size_t run = 1;
        while (first + run < count && placements[first + run].target_page == placements[first].target_page)
            run++;
        status = place_on_page(&w, &target, placements + first, run, &q_stream);
        first += run;
    }
    if (status == 0)
        write_xref_and_trailer(&w, &target, true);
    if (status == 0 && w.write_failed)
        status = error_set(err, ERROR_IO, "could not write the document's update");

    g_queue_clear_full(&w.pending, g_free);
    g_hash_table_destroy(w.copied);
    g_hash_table_destroy(w.forms);
    g_array_free(w.entries, TRUE);
    pdf_close(&target);
    return status;
}

/* ---- Widths of CFF fonts
 *
 * A CIDFontType0 font's /W array gives each glyph's advance in thousandths
 * of an em.  Cairo 1.16 takes it from the font program's charstrings when
 * the font has no hmtx table (a CFF font embedded in a PDF has none) and
 * misreads the width of a glyph whose stem hints continue in a subroutine:
 * Noto Sans CJK's 採 and 計 come out as -80 and -19.  Cairo itself places
 * the glyphs by FreeType's advances, so the content is right and only the
 * /W array is wrong; a viewer then draws the next character on top. */

/* The decoded stream of `o`: no filter, or FlateDecode. */
static int decode_stream(const struct object *o, unsigned char **out, size_t *out_size,
                         struct error *err)
{
    const struct value *filter = dict_get(&o->value, "Filter");
    if (filter && filter->kind == VALUE_ARRAY && filter->count == 1)
        filter = &filter->items[0];
    if (!filter) {
        *out = g_memdup2(o->stream, o->stream_length);
        *out_size = o->stream_length;
        return 0;
    }
    if (!is_name(filter, "FlateDecode") || dict_get(&o->value, "DecodeParms"))
        return error_set(err, ERROR_INVALID, "a font program with a filter other than plain FlateDecode");
    z_stream z = { 0 };
    if (inflateInit(&z) != Z_OK)
        return error_set(err, ERROR_INTERNAL, "zlib: cannot start inflating");
    GByteArray *decoded = g_byte_array_new();
    unsigned char chunk[16384];
    z.next_in = (unsigned char *)o->stream;
    z.avail_in = (uInt)o->stream_length;
    int status;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        status = inflate(&z, Z_NO_FLUSH);
        g_byte_array_append(decoded, chunk, (guint)(sizeof chunk - z.avail_out));
    } while (status == Z_OK && decoded->len <= MAX_FONT_PROGRAM);
    inflateEnd(&z);
    if (status != Z_STREAM_END) {
        g_byte_array_free(decoded, TRUE);
        return error_set(err, ERROR_INVALID, "a font program does not inflate, or is over %zu bytes", MAX_FONT_PROGRAM);
    }
    *out_size = decoded->len;
    *out = g_byte_array_free(decoded, FALSE);
    return 0;
}

/* The CIDs and widths of a /W array: "c [ w1 w2 … ]" and "c_first c_last w".
 * A font lists each of its at most MAX_CID glyphs once, so a /W listing
 * more widths than that is malformed: without the bound, a few kilobytes
 * of "0 65535 1" ranges made us hold hundreds of millions of widths. */
static int read_widths(const struct value *w, GArray *cids, GArray *widths)
{
    unsigned long first, last;
    for (size_t i = 0; i < w->count;) {
        const struct value *a = &w->items[i];
        if (a->kind != VALUE_ATOM || !token_unsigned(a->text, a->length, &first) || first >= MAX_CID ||
            i + 1 >= w->count)
            return -1;
        const struct value *b = &w->items[i + 1];
        if (b->kind == VALUE_ARRAY) {
            for (size_t k = 0; k < b->count; k++) {
                double width;
                unsigned cid = (unsigned)(first + k);
                if (!value_number(&b->items[k], &width) || cid >= MAX_CID || cids->len >= MAX_CID)
                    return -1;
                g_array_append_val(cids, cid);
                g_array_append_val(widths, width);
            }
            i += 2;
            continue;
        }
        double width;
        if (i + 2 >= w->count || !token_unsigned(b->text, b->length, &last) || last < first ||
            last >= MAX_CID || !value_number(&w->items[i + 2], &width) ||
            cids->len + (last - first + 1) > MAX_CID)
            return -1;
        for (unsigned long cid = first; cid <= last; cid++) {
            unsigned c = (unsigned)cid;
            g_array_append_val(cids, c);
            g_array_append_val(widths, width);
        }
        i += 3;
    }
    return 0;
}

/* "[ c [ w w … ] c [ … ] ]" with consecutive CIDs in one run. */
static char *format_widths(const unsigned *cids, const double *widths, size_t count)
{
    GString *text = g_string_new("[");
    for (size_t i = 0; i < count; i++) {
        if (i == 0 || cids[i] != cids[i - 1] + 1)
            g_string_append_printf(text, "%s %u [", i ? " ]" : "", cids[i]);
        g_string_append_printf(text, " %ld", lround(widths[i]));
    }
    g_string_append(text, count ? " ] ]" : " ]");
    return g_string_free(text, FALSE);
}

/* For CIDFont object `number` (already parsed as `font`): the corrected
 * /W text in *corrected_w, or NULL when every width is right. */
static int check_widths(const struct pdf *pdf, const struct value *font,
                        pdfpage_cff_widths_fn measure, void *user, char **corrected_w,
                        int *corrected, struct error *err)
{
    *corrected_w = NULL;
    const struct value *w = dict_get(font, "W");
    const struct value *descriptor_ref = dict_get(font, "FontDescriptor");
    if (!w || w->kind != VALUE_ARRAY || !descriptor_ref || descriptor_ref->kind != VALUE_REF)
        return 0;
    struct object descriptor, program = { 0 };
    if (parse_object(pdf, descriptor_ref->number, &descriptor, err) != 0)
        return -1;
    const struct value *file = dict_get(&descriptor.value, "FontFile3");
    int status = 0;
    if (!file || file->kind != VALUE_REF) {
        object_clear(&descriptor);
        return 0;
    }
    unsigned char *decoded = NULL;
    size_t decoded_size = 0;
    GArray *cids = g_array_new(FALSE, FALSE, sizeof(unsigned));
    GArray *widths = g_array_new(FALSE, FALSE, sizeof(double));
    if (parse_object(pdf, file->number, &program, err) != 0)
        status = -1;
    else if (!program.stream)
        status = error_set(err, ERROR_INVALID, "object %lu: /FontFile3 is not a stream", file->number);
    else if (read_widths(w, cids, widths) != 0)
        status = error_set(err, ERROR_INVALID, "a CID font's /W array is malformed");
    else
        status = decode_stream(&program, &decoded, &decoded_size, err);
    if (status == 0 && cids->len > 0) {
        double *measured = g_new(double, cids->len);
        for (guint i = 0; i < cids->len; i++)
            measured[i] = NAN;
        const unsigned *c = (const unsigned *)(void *)cids->data;
        double *written = (double *)(void *)widths->data;
        int changed = 0;
        if (measure(decoded, decoded_size, c, cids->len, measured, user) == 0)
            for (guint i = 0; i < cids->len; i++)
                if (isfinite(measured[i]) && fabs(measured[i] - written[i]) > 0.5) {
                    written[i] = measured[i];
                    changed++;
                }
        if (changed) {
            *corrected_w = format_widths(c, written, cids->len);
            *corrected += changed;
        }
        g_free(measured);
    }
    g_free(decoded);
    g_array_free(cids, TRUE);
    g_array_free(widths, TRUE);
    object_clear(&program);
    object_clear(&descriptor);
    return status;
}

/* Object `number` as it was, or with its /W replaced. */
static void rewrite_object(struct writer *w, unsigned long number, const struct object *o,
                           const char *corrected_w)
{
    static const char *const length[] = { "Length", NULL };
    static const char *const widths[] = { "W", NULL };
    begin_object(w, number);
    if (o->stream) {
        out(w, "<<", 2);
        write_entries(w, NULL, &o->value, length);
        write_stream_body(w, o->stream, o->stream_length);
        return;
    }
    if (corrected_w) {
        out(w, "<<", 2);
        write_entries(w, NULL, &o->value, widths);
        out(w, " /W ", 4);
        out(w, corrected_w, strlen(corrected_w));
        out(w, " >>", 3);
    } else
        write_value(w, NULL, &o->value);
    out(w, "\nendobj\n", 8);
}

int pdfpage_correct_cff_widths(GBytes *bytes, pdfpage_cff_widths_fn measure, void *user,
                               GBytes **result, int *corrected, struct error *err)
{
    size_t size;
    const unsigned char *data = g_bytes_get_data(bytes, &size);
    struct pdf pdf;
    *result = NULL;
    *corrected = 0;
    if (pdf_open(&pdf, data, size, err) != 0)
        return -1;

    /* First find what needs correcting; most files need nothing. */
    char **replacement = g_new0(char *, pdf.object_count);
    size_t first_offset = size;
    int status = 0;
    for (unsigned long n = 1; n < pdf.object_count && status == 0; n++) {
        if (!pdf.offsets[n])
            continue;
        first_offset = MIN(first_offset, pdf.offsets[n]);
        struct object o;
        if (parse_object(&pdf, n, &o, err) != 0) {
            status = -1;
            break;
        }
        if (!o.stream && is_name(dict_get(&o.value, "Subtype"), "CIDFontType0"))
            status = check_widths(&pdf, &o.value, measure, user, &replacement[n], corrected, err);
        object_clear(&o);
    }

    if (status == 0 && *corrected > 0) {
        char *buffer = NULL;
        size_t length = 0;
        FILE *memory = open_memstream(&buffer, &length);
        struct writer w = {
            .file = memory, .next_number = pdf.object_count, .err = err,
            .entries = g_array_new(FALSE, FALSE, sizeof(struct xref_entry)),
        };
        if (!memory)
            status = error_set(err, ERROR_INVALID, "out of memory");
        else {
            out(&w, data, first_offset);   /* "%PDF-1.x" and the binary comment */
            for (unsigned long n = 1; n < pdf.object_count && status == 0; n++) {
                struct object o;
                if (!pdf.offsets[n])
                    continue;
                if (parse_object(&pdf, n, &o, err) != 0) {
                    status = -1;
                    break;
                }
                rewrite_object(&w, n, &o, replacement[n]);
                object_clear(&o);
            }
            write_xref_and_trailer(&w, &pdf, false);
            if (fclose(memory) != 0 || w.write_failed)
                status = status ? status : error_set(err, ERROR_INVALID, "out of memory");
            if (status == 0)
                *result = g_bytes_new_take(buffer, length);
            else
                free(buffer);
        }
        g_array_free(w.entries, TRUE);
    }
    for (size_t n = 0; n < pdf.object_count; n++)
        g_free(replacement[n]);
    g_free(replacement);
    pdf_close(&pdf);
    return status;
}
