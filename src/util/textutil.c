/* textutil.c - see textutil.h. */
#include "textutil.h"

#include "xalloc.h"

#include <stdio.h>
#include <string.h>

size_t text_utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, min = 0x10000;
    else
        return 0;
    if (avail < n)
        return 0;
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

char *text_printable(const char *in, size_t len, size_t max, int *cut)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t take = len < max ? len : max;
    char *out = xmalloc(take * 4 + 1);
    size_t o = 0, i = 0;
    while (i < take) {
        size_t n = text_utf8_seq(s + i, take - i);
        if (n == 1 && (s[i] >= 0x20 || s[i] == '\t') && s[i] != 0x7F) {
            out[o++] = (char)s[i++];
        } else if (n > 1) {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        } else {
            o += (size_t)sprintf(out + o, "\\x%02X", s[i]);
            i++;
        }
    }
    out[o] = '\0';
    if (cut)
        *cut = take < len;
    return out;
}
