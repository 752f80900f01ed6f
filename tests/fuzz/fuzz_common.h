/*
 * fuzz_common.h - what the libFuzzer targets share: fuzz input as a file the
 * library can open, and a check that aborts (so libFuzzer keeps the input)
 * when an invariant of a public interface does not hold.
 *
 * Whoever gets a descriptor from fuzz_input_fd closes it (or hands it to a
 * reader that does).
 */
#ifndef MXAUDIT_FUZZ_COMMON_H
#define MXAUDIT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A broken invariant is a finding like a crash: abort keeps the input. */
#define FUZZ_ASSERT(cond)                                                                                              \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);                               \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* The input in an anonymous in-memory file, positioned at 0, its mtime set
 * to a fixed day (2026-12-01) so that year inference does not depend on the
 * day the fuzzer runs. -1 when memfd_create is not available. */
static inline int fuzz_input_fd(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-input", 0);
    if (fd < 0)
        return -1;
    for (size_t off = 0; off < size;) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    struct timespec times[2] = {{1796083200, 0}, {1796083200, 0}};
    futimens(fd, times);
    lseek(fd, 0, SEEK_SET);
    return fd;
}

#endif
