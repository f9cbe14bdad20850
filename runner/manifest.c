/*
 * manifest.c - the files a manifest names (see runner_internal.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner_internal.h"

static int push(char ***list, size_t *count, char *item)
{
    if (item == NULL)
        return -1;
    char **grown = realloc(*list, (*count + 1) * sizeof **list);
    if (grown == NULL) {
        free(item);
        return -1;
    }
    *list = grown;
    (*list)[(*count)++] = item;
    return 0;
}

static char *join(const char *dir, const char *name)
{
    char *path = NULL;
    /* s3:// entries are read from S3 as they are; local entries are relative to DIR. */
    if (strncmp(name, "s3://", 5) == 0 || strncmp(name, "s3a://", 6) == 0 ||
        (name[0] == '/' && strncmp(dir, "s3://", 5) != 0))
        return ld_strdup(name);
    if (strncmp(dir, "s3://", 5) == 0 && name[0] == '/')
        name++;
    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return NULL;
    return path;
}

/* Add every non-blank line of @p text as an entry under @p dir. */
static int add_lines(const char *text, const char *dir, char ***paths, char ***names,
                     size_t *count)
{
    const char *p = text;
    size_t names_count = *count;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        while (n > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        if (n > 0) {
            char *name = strndup(p, n);
            if (name == NULL || push(paths, count, join(dir, name)) != 0 ||
                push(names, &names_count, name) != 0)
                return -1;
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    return 0;
}

int ldrun_manifest_files(const char *manifest_path, char *const *bucket_dirs,
                         size_t bucket_dir_count, char ***paths, char ***names,
                         size_t *count, ld_error *error)
{
    *paths = *names = NULL;
    *count = 0;
    FILE *f = fopen(manifest_path, "r");
    if (f == NULL)
        return ld_error_set(error, LD_ERR_IO, "cannot open the manifest %s: %s", manifest_path,
                            strerror(errno));
    char *text = NULL;
    size_t size = 0;
    ssize_t n = getdelim(&text, &size, '\0', f);
    fclose(f);
    if (n < 0) {
        free(text);
        return ld_error_set(error, LD_ERR_IO, "cannot read the manifest %s", manifest_path);
    }
    char *copy = ld_strdup(manifest_path);
    const char *manifest_dir = copy ? dirname(copy) : ".";
    int rc = LD_OK;
    const char *first = text + strspn(text, " \t\r\n");
    if (*first == '{') {
        /* A dataset configuration: manifestFile + readConnector.bucketName. */
        json_error_t json_error;
        json_t *config = json_loads(text, 0, &json_error);
        json_t *manifest = json_object_get(config, "manifestFile");
        const char *type = json_string_value(json_object_get(manifest, "manifestType"));
        const char *contents = json_string_value(json_object_get(manifest, "fileContents"));
        const char *bucket = json_string_value(
            json_object_get(json_object_get(config, "readConnector"), "bucketName"));
        if (config == NULL)
            rc = ld_error_set(error, LD_ERR_INVALID, "%s: not valid JSON: %s (line %d)",
                              manifest_path, json_error.text, json_error.line);
        else if (type != NULL && strcmp(type, "S3ReaderTextManifestFile") != 0)
            rc = ld_error_set(error, LD_ERR_UNSUPPORTED,
                              "%s: manifestFile.manifestType %s is not supported locally "
                              "(S3ReaderTextManifestFile is; for S3ReaderS3LinkManifestFile "
                              "pass the linked manifest as a plain list)",
                              manifest_path, type);
        else if (contents == NULL)
            rc = ld_error_set(error, LD_ERR_INVALID,
                              "%s: manifestFile.fileContents is missing (a string, one file "
                              "per line)",
                              manifest_path);
        else if (bucket == NULL)
            rc = ld_error_set(error, LD_ERR_INVALID,
                              "%s: readConnector.bucketName is missing", manifest_path);
        if (rc == LD_OK) {
            /* BUCKET=DIR mappings; without one, a directory named like the bucket next
             * to the configuration file. */
            char *bucket_dir = NULL;
            size_t bucket_length = strlen(bucket);
            for (size_t i = 0; i < bucket_dir_count && bucket_dir == NULL; i++)
                if (strncmp(bucket_dirs[i], bucket, bucket_length) == 0 &&
                    bucket_dirs[i][bucket_length] == '=')
                    bucket_dir = ld_strdup(bucket_dirs[i] + bucket_length + 1);
            if (bucket_dir == NULL) {
                /* Without a mapping: a directory named like the bucket next to the
                 * configuration file if there is one, else the bucket in S3. */
                bucket_dir = join(manifest_dir, bucket);
                struct stat st;
                if (bucket_dir != NULL && (stat(bucket_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
                    free(bucket_dir);
                    bucket_dir = NULL;
                    if (asprintf(&bucket_dir, "s3://%s", bucket) < 0)
                        bucket_dir = NULL;
                }
            }
            if (bucket_dir == NULL || add_lines(contents, bucket_dir, paths, names, count) != 0)
                rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
            free(bucket_dir);
        }
        json_decref(config);
    } else if (add_lines(text, manifest_dir, paths, names, count) != 0) {
        rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    free(copy);
    free(text);
    if (rc == LD_OK && *count == 0)
        rc = ld_error_set(error, LD_ERR_INVALID, "%s lists no files", manifest_path);
    if (rc != LD_OK) {
        for (size_t i = 0; i < *count; i++) {
            free((*paths)[i]);
            free((*names)[i]);
        }
        free(*paths);
        free(*names);
        *paths = *names = NULL;
        *count = 0;
    }
    return rc;
}
