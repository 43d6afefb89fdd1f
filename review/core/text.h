/* text — checks and transformations of text every layer shares: UTF-8
 * validity, character counts and NFC (the export's text rules), SHA-256 in
 * hex (file names, content hashes), and masking national ID numbers.
 * Pure functions; owns nothing; thread-safe. */
#ifndef BEISHEN_TEXT_H
#define BEISHEN_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Number of Unicode characters in a valid UTF-8 string of `length` bytes. */
size_t text_characters(const char *text, size_t length);
/* True when more of the letters of `text` (valid UTF-8) are Latin than
 * Han or kana: an English statement, counted in words. */
bool text_is_mostly_latin(const char *text);
/* Words: runs of characters between white space. */
size_t text_words(const char *text);
/* True when `text` (length bytes) is valid UTF-8 and has no NUL byte. */
bool text_is_utf8(const char *text, size_t length);
/* True when valid UTF-8 `text` is in Unicode Normalization Form C. */
bool text_is_nfc(const char *text, size_t length);

/* The first control character of valid UTF-8 `text`: C0 (U+0000-U+001F),
 * DEL (U+007F) or C1 (U+0080-U+009F), with line feed and tab allowed when
 * `multiline`; in one-line text (names, titles) also a bidirectional
 * embedding, override or isolate (U+202A-U+202E, U+2066-U+2069), which
 * would show the text in another order.  Returns its code point and its
 * character index in *position, or -1 when there is none. */
long text_find_control(const char *text, bool multiline, size_t *position);
/* `text` (any bytes) made safe to print on a terminal: every control
 * character is written as \xHH (C0, DEL) or \u00HH (C1), a bidirectional
 * control as \u202E and the like, and every byte of
 * invalid UTF-8 as \xHH, so an escape sequence is shown, never obeyed.
 * Fills out (truncated to out_size, always terminated) and returns it. */
char *text_escape_controls(const char *text, char *out, size_t out_size);

/* Lowercase hex SHA-256 of the bytes into hex[65]. */
void text_sha256_hex(const void *data, size_t length, char hex[65]);
/* True for exactly 64 lowercase hex digits. */
bool text_is_sha256_hex(const char *text);

/* A whole decimal integer in [min, max], as a person or a client types
 * it: no sign games, no trailing text, no overflow.  false otherwise
 * (NULL included). */
bool text_parse_integer(const char *text, long min, long max, long *out);

/* "A123456789" -> "A*****6789" into out (at least 16 bytes).  Anything that
 * is not a well-formed ID is masked entirely. */
void text_mask_national_id(const char *national_id, char *out, size_t out_size);

#endif
