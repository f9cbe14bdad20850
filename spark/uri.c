/*
 * uri.c - URIs to local paths: absolute paths, file://, and s3:// / s3a:// buckets
 * mapped to local directories; directory listings with Spark's hidden-file rule.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spark_internal.h"

void lds_location_clear(lds_location *loc)
{
    free(loc->path);
    free(loc->bucket);
    free(loc->key);
    memset(loc, 0, sizeof *loc);
}

void lds_free_strings(char **strings, size_t count)
{
    if (strings == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(strings[i]);
    free(strings);
}

static int resolve_s3(ld_spark_session *s, const char *uri, const char *rest, lds_location *out,
                      ld_error *error)
{
    const char *slash = strchr(rest, '/');
    size_t bucket_length = slash ? (size_t)(slash - rest) : strlen(rest);
    if (bucket_length == 0)
        return ld_error_set(error, LD_ERR_INVALID, "%s: no bucket name", uri);
    const char *key = slash ? slash + 1 : "";
    out->is_s3 = 1;
    out->bucket = strndup(rest, bucket_length);
    out->key = strdup(key);
    if (out->bucket == NULL || out->key == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < s->bucket_count; i++)
        if (strcmp(s->buckets[i].bucket, out->bucket) == 0) {
            size_t n = strlen(key);
            while (n > 0 && key[n - 1] == '/')
                n--;
            out->path = n ? lds_printf("%s/%.*s", s->buckets[i].dir, (int)n, key)
                          : strdup(s->buckets[i].dir);
            return out->path ? LD_OK : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        }
    /* Unmapped: path stays NULL; read.c and write.c go through s3.c. */
    return LD_OK;
}

int lds_resolve(ld_spark_session *s, const char *uri, lds_location *out, ld_error *error)
{
    memset(out, 0, sizeof *out);
    if (uri == NULL || *uri == '\0')
        return ld_error_set(error, LD_ERR_INVALID, "empty URI");
    int rc;
    if (strncmp(uri, "s3://", 5) == 0)
        rc = resolve_s3(s, uri, uri + 5, out, error);
    else if (strncmp(uri, "s3a://", 6) == 0)
        rc = resolve_s3(s, uri, uri + 6, out, error);
    else if (strncmp(uri, "file://", 7) == 0) {
        const char *path = uri + 7;
        if (*path != '/')
            return ld_error_set(error, LD_ERR_INVALID,
                                "%s: a file URI names an absolute path (file:///dir/file)", uri);
        out->path = strdup(path);
        rc = out->path ? LD_OK : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    } else if (strncmp(uri, "file:/", 6) == 0) {
        out->path = strdup(uri + 5);
        rc = out->path ? LD_OK : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    } else if (strstr(uri, "://") != NULL)
        return ld_error_set(error, LD_ERR_INVALID,
                            "%s: unsupported URI scheme (use a path, file://, s3:// or s3a://)",
                            uri);
    else {
        out->path = strdup(uri);
        rc = out->path ? LD_OK : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    if (rc != LD_OK)
        lds_location_clear(out);
    return rc;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push(char ***files, size_t *count, size_t *capacity, char *path)
{
    if (path == NULL)
        return -1;
    if (*count == *capacity) {
        size_t cap = *capacity ? *capacity * 2 : 8;
        char **grown = realloc(*files, cap * sizeof *grown);
        if (grown == NULL) {
            free(path);
            return -1;
        }
        *files = grown;
        *capacity = cap;
    }
    (*files)[(*count)++] = path;
    return 0;
}

int lds_list_input(const char *uri, const char *path, char ***files, size_t *count,
                   uint64_t *bytes, ld_error *error)
{
    *files = NULL;
    *count = 0;
    *bytes = 0;
    size_t capacity = 0;
    struct stat st;
    if (stat(path, &st) != 0)
        return ld_error_set(error, errno == ENOENT ? LD_ERR_NOT_FOUND : LD_ERR_IO,
                            "%s: cannot read %s: %s", uri, path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        if (push(files, count, &capacity, strdup(path)) != 0)
            return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        *bytes = (uint64_t)st.st_size;
        return LD_OK;
    }
    DIR *dir = opendir(path);
    if (dir == NULL)
        return ld_error_set(error, LD_ERR_IO, "%s: cannot list %s: %s", uri, path, strerror(errno));
    struct dirent *e;
    int rc = LD_OK;
    while (rc == LD_OK && (e = readdir(dir)) != NULL) {
        /* Spark's rule: _SUCCESS, _temporary, .crc files and the like are not data. */
        if (e->d_name[0] == '_' || e->d_name[0] == '.')
            continue;
        char *full = lds_printf("%s/%s", path, e->d_name);
        if (full == NULL) {
            rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
            break;
        }
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(full);
            continue;
        }
        *bytes += (uint64_t)st.st_size;
        if (push(files, count, &capacity, full) != 0)
            rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    closedir(dir);
    if (rc == LD_OK && *count == 0)
        rc = ld_error_set(error, LD_ERR_NOT_FOUND, "%s: directory %s holds no data file", uri, path);
    if (rc != LD_OK) {
        lds_free_strings(*files, *count);
        *files = NULL;
        *count = 0;
        return rc;
    }
    qsort(*files, *count, sizeof **files, compare_strings);
    return LD_OK;
}
