/* csv — one CSV field at a time, formulas neutralised.  See csv.h. */
#include "core/csv.h"

#include <string.h>

bool csv_is_formula(const char *text)
{
    return text[0] != '\0' && strchr("=+-@\t\r", text[0]) != NULL;
}

void csv_field(FILE *out, const char *text, bool last)
{
    bool formula = csv_is_formula(text);
    if (formula || strpbrk(text, ",\"\n\r")) {
        fputc('"', out);
        if (formula)
            fputc('\'', out);
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                fputc('"', out);
            fputc(*p, out);
        }
        fputc('"', out);
    } else {
        fputs(text, out);
    }
    fputs(last ? "\r\n" : ",", out);
}
