/*
 * xalloc.h - allocation that cannot fail.
 *
 * Running out of memory is fatal: these print one line and abort, so no
 * caller checks for NULL. Whoever allocates frees with free().
 */
#ifndef MXAUDIT_XALLOC_H
#define MXAUDIT_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
