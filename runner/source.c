/*
 * source.c - byte sources (source.h): the local file, and the table of sources for
 * other storage by URI scheme.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "s3_source.h"
#include "source.h"

typedef struct file_source {
    ldrun_source base;
    int fd;
    uint64_t position;
} file_source;

static int file_read(ldrun_source *source, void *buffer, size_t capacity, size_t *got,
                     ld_error *error)
{
    file_source *f = (file_source *)source;
    for (;;) {
        ssize_t n = read(f->fd, buffer, capacity);
        if (n >= 0) {
            *got = (size_t)n;
            f->position += (uint64_t)n;
            return LD_OK;
        }
        if (errno != EINTR)
            return ld_error_set(error, LD_ERR_IO, "%s: cannot read at byte %llu: %s",
                                source->name, (unsigned long long)f->position,
                                strerror(errno));
    }
}

static int file_pread(ldrun_source *source, void *buffer, size_t capacity, uint64_t offset,
                      size_t *got, ld_error *error)
{
    file_source *f = (file_source *)source;
    size_t done = 0;
    /* pread may return less than asked before the end: callers want it filled. */
    while (done < capacity) {
        ssize_t n = pread(f->fd, (char *)buffer + done, capacity - done,
                          (off_t)(offset + done));
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ld_error_set(error, LD_ERR_IO, "%s: cannot read at byte %llu: %s",
                                source->name, (unsigned long long)(offset + done),
                                strerror(errno));
        }
        done += (size_t)n;
    }
    *got = done;
    return LD_OK;
}

static void file_close(ldrun_source *source)
{
    file_source *f = (file_source *)source;
    close(f->fd);
    free(f);
}

ldrun_source *ldrun_file_source_open(const char *path, ld_error *error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ld_error_set(error, LD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        ld_error_set(error, LD_ERR_IO, "cannot read %s: %s", path,
                     S_ISDIR(st.st_mode) ? "it is a directory" : strerror(errno));
        close(fd);
        return NULL;
    }
    file_source *f = calloc(1, sizeof *f);
    if (f == NULL) {
        close(fd);
        ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    f->fd = fd;
    f->base.read = file_read;
    /* Pipes and terminals read once, in order; only regular files are read in parts. */
    f->base.pread = S_ISREG(st.st_mode) ? file_pread : NULL;
    f->base.close = file_close;
    f->base.size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UINT64_MAX;
    f->base.name = path;
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    return &f->base;
}

/* Sources for other storage, by the scheme their paths start with. */
static const struct {
    const char *prefix;
    ldrun_source *(*open)(const char *path, ld_error *error);
} schemes[] = {
    {"s3://", ldrun_s3_source_open},
    {"s3a://", ldrun_s3_source_open},
};

ldrun_source *ldrun_source_open(const char *path, ld_error *error)
{
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (schemes[i].prefix != NULL &&
            strncmp(path, schemes[i].prefix, strlen(schemes[i].prefix)) == 0)
            return schemes[i].open(path, error);
    return ldrun_file_source_open(path, error);
}
