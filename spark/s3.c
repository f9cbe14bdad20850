/*
 * s3.c - unmapped s3:// and s3a:// URIs through libletsdata-aws: inputs are downloaded
 * into the session's temp directory and read from there; outputs are written there in
 * Spark's layout and uploaded, parts first and _SUCCESS last. Credentials come from the
 * task's Secrets Manager secret (role.read for reads, role.write for writes), fetched the
 * first time an unmapped S3 URI is used.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spark_internal.h"

#ifdef LDS_HAVE_AWS

#include <letsdata/aws.h>
#include <letsdata/aws_s3.h>
#include <letsdata/aws_secrets.h>

struct lds_s3 {
    ld_aws_client *read;
    ld_aws_client *write;
};

static int aws_fail(ld_error *error, const char *uri, const char *what, const ld_aws_error *e)
{
    int code = e->code == LD_ERR_NOT_FOUND ? LD_ERR_NOT_FOUND
               : e->code == LD_ERR_INVALID ? LD_ERR_INVALID
                                           : LD_ERR_IO;
    return ld_error_set(error, code, "%s: %s: %s", uri, what, e->message);
}

/* The client for one direction, made on first use (credentials from the secret). */
static int client_for(ld_spark_session *s, int write, const char *uri, ld_aws_client **out,
                      ld_error *error)
{
    if (s->s3 == NULL && (s->s3 = calloc(1, sizeof *s->s3)) == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    ld_aws_client **slot = write ? &s->s3->write : &s->s3->read;
    if (*slot != NULL) {
        *out = *slot;
        return LD_OK;
    }
    ld_aws_error e;
    ld_aws_credentials *credentials = NULL;
    if (s->secret_arn != NULL &&
        ld_secrets_get_spark_aws_credentials(NULL, s->secret_arn, s->role, write ? "write" : "read",
                                             &credentials, &e) != LD_OK) {
        char what[160];
        snprintf(what, sizeof what, "cannot get the %s.%s credentials from secret %s", s->role,
                 write ? "write" : "read", s->secret_arn);
        return aws_fail(error, uri, what, &e);
    }
    ld_aws_client_options options = LD_AWS_CLIENT_OPTIONS_INIT;
    options.credentials = credentials; /* NULL: the default chain */
    *slot = ld_aws_client_new(&options, &e);
    ld_aws_credentials_free(credentials);
    if (*slot == NULL)
        return aws_fail(error, uri, "cannot make an S3 client", &e);
    *out = *slot;
    return LD_OK;
}

void lds_s3_free(ld_spark_session *s)
{
    if (s->s3 == NULL)
        return;
    ld_aws_client_free(s->s3->read);
    ld_aws_client_free(s->s3->write);
    free(s->s3);
    s->s3 = NULL;
}

/* key + "/" unless empty or already ending in '/'. */
static char *dir_prefix(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || key[n - 1] == '/')
        return strdup(key);
    return lds_printf("%s/", key);
}

typedef struct listing {
    char **keys;
    size_t count, cap;
    size_t prefix_length;
    int data_only; /* skip _ and . names (Spark's hidden files) */
    int failed;
} listing;

static int collect(void *payload, const ld_s3_object_entry *entry)
{
    listing *l = payload;
    if (entry->is_prefix)
        return 0;
    const char *name = entry->key + l->prefix_length;
    if (*name == '\0' || strchr(name, '/') != NULL)
        return 0; /* the directory marker itself, or a deeper key */
    if (l->data_only && (name[0] == '_' || name[0] == '.'))
        return 0;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **grown = realloc(l->keys, cap * sizeof *grown);
        if (grown == NULL) {
            l->failed = 1;
            return 1;
        }
        l->keys = grown;
        l->cap = cap;
    }
    if ((l->keys[l->count] = strdup(entry->key)) == NULL) {
        l->failed = 1;
        return 1;
    }
    l->count++;
    return 0;
}

static int list_dir(ld_aws_client *client, const char *uri, const char *bucket,
                    const char *prefix, int data_only, listing *l, ld_error *error)
{
    memset(l, 0, sizeof *l);
    l->prefix_length = strlen(prefix);
    l->data_only = data_only;
    ld_s3_list_options options = LD_S3_LIST_OPTIONS_INIT;
    options.prefix = prefix;
    options.delimiter = "/";
    ld_aws_error e;
    int rc = ld_s3_list_objects(client, bucket, &options, collect, l, &e);
    if (rc == LD_OK && l->failed)
        rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    else if (rc != LD_OK)
        rc = aws_fail(error, uri, "cannot list", &e);
    if (rc != LD_OK) {
        lds_free_strings(l->keys, l->count);
        memset(l, 0, sizeof *l);
    }
    return rc;
}

int lds_s3_fetch(ld_spark_session *s, const char *uri, const lds_location *loc,
                 char **local_path, ld_error *error)
{
    *local_path = NULL;
    ld_aws_client *client;
    int rc = client_for(s, 0, uri, &client, error);
    if (rc != LD_OK)
        return rc;
    char *stage = lds_printf("%s/s3-in-%llu", s->temp_dir, (unsigned long long)++s->name_counter);
    if (stage == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    if (mkdir(stage, 0700) != 0) {
        rc = ld_error_set(error, LD_ERR_IO, "%s: cannot create %s: %s", uri, stage, strerror(errno));
        free(stage);
        return rc;
    }
    ld_aws_error e;
    /* An object of that key is a file; otherwise the key is a directory (prefix). */
    const char *key = loc->key;
    size_t key_length = strlen(key);
    if (key_length > 0 && key[key_length - 1] != '/') {
        const char *base = strrchr(key, '/');
        base = base ? base + 1 : key;
        char *file = lds_printf("%s/%s", stage, base);
        if (file == NULL) {
            free(stage);
            return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        }
        rc = ld_s3_get_object_to_file(client, loc->bucket, key, file, NULL, &e);
        if (rc == LD_OK) {
            free(stage);
            *local_path = file;
            return LD_OK;
        }
        free(file);
        if (rc != LD_ERR_NOT_FOUND) {
            free(stage);
            return aws_fail(error, uri, "cannot download", &e);
        }
    }
    char *prefix = dir_prefix(key);
    listing l;
    rc = prefix ? list_dir(client, uri, loc->bucket, prefix, 1, &l, error)
                : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    free(prefix);
    if (rc == LD_OK && l.count == 0)
        rc = ld_error_set(error, LD_ERR_NOT_FOUND, "%s: no such object, and no data file under it", uri);
    for (size_t i = 0; rc == LD_OK && i < l.count; i++) {
        const char *base = strrchr(l.keys[i], '/');
        base = base ? base + 1 : l.keys[i];
        char *file = lds_printf("%s/%s", stage, base);
        if (file == NULL)
            rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        else if (ld_s3_get_object_to_file(client, loc->bucket, l.keys[i], file, NULL, &e) != LD_OK)
            rc = aws_fail(error, uri, l.keys[i], &e);
        free(file);
    }
    if (rc == LD_OK)
        lds_free_strings(l.keys, l.count);
    else if (rc != LD_OK && l.keys != NULL)
        lds_free_strings(l.keys, l.count);
    if (rc != LD_OK) {
        free(stage);
        return rc;
    }
    *local_path = stage;
    return LD_OK;
}

int lds_s3_dir_exists(ld_spark_session *s, const char *uri, const lds_location *loc,
                      int *exists, ld_error *error)
{
    ld_aws_client *client;
    int rc = client_for(s, 1, uri, &client, error);
    if (rc != LD_OK)
        return rc;
    char *prefix = dir_prefix(loc->key);
    listing l;
    rc = prefix ? list_dir(client, uri, loc->bucket, prefix, 0, &l, error)
                : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    free(prefix);
    if (rc != LD_OK)
        return rc;
    *exists = l.count > 0;
    lds_free_strings(l.keys, l.count);
    return LD_OK;
}

int lds_s3_delete(ld_spark_session *s, const char *uri, const lds_location *loc,
                  const char *only_name, ld_error *error)
{
    ld_aws_client *client;
    int rc = client_for(s, 1, uri, &client, error);
    if (rc != LD_OK)
        return rc;
    ld_aws_error e;
    char *prefix = dir_prefix(loc->key);
    if (prefix == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    if (only_name != NULL) {
        char *key = lds_printf("%s%s", prefix, only_name);
        rc = key ? ld_s3_delete_object(client, loc->bucket, key, &e)
                 : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        if (key != NULL && rc != LD_OK)
            rc = aws_fail(error, uri, "cannot delete", &e);
        free(key);
        free(prefix);
        return rc;
    }
    listing l;
    rc = list_dir(client, uri, loc->bucket, prefix, 0, &l, error);
    free(prefix);
    if (rc != LD_OK)
        return rc;
    if (l.count > 0 && ld_s3_delete_objects(client, loc->bucket, (const char *const *)l.keys,
                                            l.count, &e) != LD_OK)
        rc = aws_fail(error, uri, "cannot delete the old contents", &e);
    lds_free_strings(l.keys, l.count);
    return rc;
}

int lds_s3_upload(ld_spark_session *s, const char *uri, const lds_location *loc,
                  const char *local_file, const char *name, ld_error *error)
{
    ld_aws_client *client;
    int rc = client_for(s, 1, uri, &client, error);
    if (rc != LD_OK)
        return rc;
    char *prefix = dir_prefix(loc->key);
    char *key = prefix ? lds_printf("%s%s", prefix, name) : NULL;
    free(prefix);
    if (key == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    ld_aws_error e;
    if (local_file != NULL)
        rc = ld_s3_put_object_from_file(client, loc->bucket, key, local_file, NULL, &e);
    else
        rc = ld_s3_put_object(client, loc->bucket, key, "", 0, NULL, &e);
    if (rc != LD_OK)
        rc = aws_fail(error, uri, key, &e);
    free(key);
    return rc;
}

int lds_s3_available(void)
{
    return 1;
}

#else /* no libletsdata-aws in this build */

void lds_s3_free(ld_spark_session *s)
{
    (void)s;
}

static int missing(const char *uri, const lds_location *loc, ld_error *error)
{
    return ld_error_set(error, LD_ERR_UNSUPPORTED,
                        "%s: bucket '%s' is not mapped to a local directory (map it with "
                        "--bucket-dir %s=DIR, LETSDATA_BUCKET_DIRS or "
                        "ld_spark_session_map_bucket) and this build has no S3 client: "
                        "libletsdata-aws is missing",
                        uri, loc->bucket, loc->bucket);
}

int lds_s3_fetch(ld_spark_session *s, const char *uri, const lds_location *loc,
                 char **local_path, ld_error *error)
{
    (void)s;
    *local_path = NULL;
    return missing(uri, loc, error);
}

int lds_s3_dir_exists(ld_spark_session *s, const char *uri, const lds_location *loc,
                      int *exists, ld_error *error)
{
    (void)s;
    *exists = 0;
    return missing(uri, loc, error);
}

int lds_s3_delete(ld_spark_session *s, const char *uri, const lds_location *loc,
                  const char *only_name, ld_error *error)
{
    (void)s;
    (void)only_name;
    return missing(uri, loc, error);
}

int lds_s3_upload(ld_spark_session *s, const char *uri, const lds_location *loc,
                  const char *local_file, const char *name, ld_error *error)
{
    (void)s;
    (void)local_file;
    (void)name;
    return missing(uri, loc, error);
}

int lds_s3_available(void)
{
    return 0;
}

#endif
