/* text — UTF-8, NFC, SHA-256 hex and national-ID masking. */
#include "core/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

size_t text_characters(const char *text, size_t length)
{
    size_t count = 0;
    for (size_t i = 0; i < length; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            count++;
    return count;
}

bool text_is_mostly_latin(const char *text)
{
    size_t latin = 0, other = 0;
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c < 0x250 && g_unichar_isalpha(c))
            latin++;
        else if (g_unichar_isalpha(c))
            other++;
    }
    return latin > other;
}

size_t text_words(const char *text)
{
    size_t words = 0;
    bool in_word = false;
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        bool space = g_unichar_isspace(g_utf8_get_char(p));
        words += !space && !in_word;
        in_word = !space;
    }
    return words;
}

bool text_is_utf8(const char *text, size_t length)
{
    const char *end = NULL;
    if (memchr(text, '\0', length))
        return false;
    return g_utf8_validate(text, (gssize)length, &end) && end == text + length;
}

/* Code points that NFC leaves alone and never composes with a neighbour:
 * the ranges that make up nearly all of an export's text.  Anything else
 * takes the slow path through GLib's normaliser. */
static bool nfc_stable(gunichar c)
{
    return (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || c == '\r' ||
           (c >= 0x3000 && c <= 0x303F) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xFF01 && c <= 0xFF5E) ||
           (c >= 0x20000 && c <= 0x2A6DF);
}

bool text_is_nfc(const char *text, size_t length)
{
    const char *end = text + length;
    const char *p = text;
    while (p < end && nfc_stable(g_utf8_get_char(p)))
        p = g_utf8_next_char(p);
    if (p >= end)
        return true;
    char *normal = g_utf8_normalize(text, (gssize)length, G_NORMALIZE_NFC);
    bool same = normal && strlen(normal) == length && memcmp(normal, text, length) == 0;
    g_free(normal);
    return same;
}

/* The explicit bidirectional formatting characters: embeddings and
 * overrides (U+202A-U+202E) and isolates (U+2066-U+2069).  In a name they
 * make the terminal or page show the text in another order than it has
 * ("Trojan Source"); nothing in a Chinese portfolio needs them. */
static bool is_bidi_control(gunichar c)
{
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

long text_find_control(const char *text, bool multiline, size_t *position)
{
    size_t index = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; index++) {
        long c = -1;
        if (*p < 0x20 || *p == 0x7F)
            c = *p;
        else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            c = p[1];
        else if (!multiline && *p == 0xE2 && is_bidi_control(g_utf8_get_char((const char *)p)))
            c = (long)g_utf8_get_char((const char *)p);
        if (c >= 0 && !(multiline && (c == '\n' || c == '\t'))) {
            *position = index;
            return c;
        }
        p = (const unsigned char *)g_utf8_next_char(p);
    }
    return -1;
}

char *text_escape_controls(const char *text, char *out, size_t out_size)
{
    size_t used = 0;
    const char *p = text, *end = text + strlen(text);
    while (*p && used + 1 < out_size) {
        const unsigned char byte = (unsigned char)*p;
        char piece[8];
        size_t length;
        const char *next;
        if (byte < 0x20 || byte == 0x7F) {
            length = (size_t)snprintf(piece, sizeof piece, "\\x%02X", byte);
            next = p + 1;
        } else if (byte < 0x80) {
            piece[0] = (char)byte;
            length = 1;
            next = p + 1;
        } else {
            gunichar c = g_utf8_get_char_validated(p, end - p);
            if (c == (gunichar)-1 || c == (gunichar)-2) {
                length = (size_t)snprintf(piece, sizeof piece, "\\x%02X", byte);
                next = p + 1;
            } else if ((c >= 0x80 && c <= 0x9F) || is_bidi_control(c)) {
                length = (size_t)snprintf(piece, sizeof piece, "\\u%04X", (unsigned)c);
                next = g_utf8_next_char(p);
            } else {
                next = g_utf8_next_char(p);
                length = (size_t)(next - p);
                memcpy(piece, p, length);
            }
        }
        if (used + length >= out_size)
            break;
        memcpy(out + used, piece, length);
        used += length;
        p = next;
    }
    if (out_size)
        out[used] = '\0';
    return out;
}

void text_sha256_hex(const void *data, size_t length, char hex[65])
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(sum, data, (gssize)length);
    memcpy(hex, g_checksum_get_string(sum), 64);
    hex[64] = '\0';
    g_checksum_free(sum);
}

bool text_is_sha256_hex(const char *text)
{
    size_t i = 0;
    for (; text[i]; i++)
        if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
            return false;
    return i == 64;
}

void text_mask_national_id(const char *national_id, char *out, size_t out_size)
{
    bool well_formed = national_id && strlen(national_id) == 10 &&
                       national_id[0] >= 'A' && national_id[0] <= 'Z';
    for (int i = 1; well_formed && i < 10; i++)
        if (national_id[i] < '0' || national_id[i] > '9')
            well_formed = false;
    if (well_formed)
        snprintf(out, out_size, "%c*****%s", national_id[0], national_id + 6);
    else
        snprintf(out, out_size, "**********");
}

bool text_parse_integer(const char *text, long min, long max, long *out)
{
    if (!text)
        return false;
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < min || value > max)
        return false;
    *out = value;
    return true;
}
