/*
 * s3_list.c - ListObjectsV2 with pagination, DeleteObject and DeleteObjects.
 *
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_internal.h"

typedef struct entry {
    char *key, *etag, *last_modified;
    uint64_t size;
    int is_prefix;
} entry;

typedef struct page {
    entry *entries;
    size_t count, capacity;
    entry current;
    int truncated;
    char *next_token;
    int nomem;
} page;

static void entry_clear(entry *e)
{
    free(e->key);
    free(e->etag);
    free(e->last_modified);
    memset(e, 0, sizeof *e);
}

static void page_clear(page *p)
{
    for (size_t i = 0; i < p->count; i++)
        entry_clear(&p->entries[i]);
    entry_clear(&p->current);
    free(p->entries);
    free(p->next_token);
    memset(p, 0, sizeof *p);
}

static int push(page *p)
{
    if (p->count == p->capacity) {
        size_t capacity = p->capacity ? p->capacity * 2 : 256;
        entry *grown = realloc(p->entries, capacity * sizeof *grown);
        if (grown == NULL)
            return 1;
        p->entries = grown;
        p->capacity = capacity;
    }
    p->entries[p->count++] = p->current;
    memset(&p->current, 0, sizeof p->current);
    return 0;
}

static int set_text(char **field, const char *text, size_t length)
{
    free(*field);
    *field = strndup(text, length);
    return *field == NULL;
}

static int read_listing(void *payload, const char *path, const char *text, size_t length)
{
    page *p = payload;
    int nomem = 0;
    if (strcmp(path, "ListBucketResult/Contents/Key") == 0)
        nomem = set_text(&p->current.key, text, length);
    else if (strcmp(path, "ListBucketResult/Contents/ETag") == 0)
        nomem = set_text(&p->current.etag, text, length);
    else if (strcmp(path, "ListBucketResult/Contents/LastModified") == 0)
        nomem = set_text(&p->current.last_modified, text, length);
    else if (strcmp(path, "ListBucketResult/Contents/Size") == 0)
        p->current.size = strtoull(text, NULL, 10);
    else if (strcmp(path, "ListBucketResult/Contents") == 0)
        nomem = p->current.key == NULL || push(p);
    else if (strcmp(path, "ListBucketResult/CommonPrefixes/Prefix") == 0) {
        nomem = set_text(&p->current.key, text, length);
        p->current.is_prefix = 1;
    } else if (strcmp(path, "ListBucketResult/CommonPrefixes") == 0)
        nomem = p->current.key == NULL || push(p);
    else if (strcmp(path, "ListBucketResult/IsTruncated") == 0)
        p->truncated = length == 4 && strncmp(text, "true", 4) == 0;
    else if (strcmp(path, "ListBucketResult/NextContinuationToken") == 0)
        nomem = set_text(&p->next_token, text, length);
    if (nomem)
        p->nomem = 1;
    return nomem;
}

int ld_s3_list_objects(ld_aws_client *client, const char *bucket,
                       const ld_s3_list_options *options, ld_s3_list_fn each, void *payload,
                       ld_aws_error *error)
{
    ldaws_error_clear(error);
    ld_s3_list_options defaults = LD_S3_LIST_OPTIONS_INIT;
    if (options == NULL)
        options = &defaults;
    if (client == NULL || each == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "ListObjectsV2 needs a client and a callback");
    if (options->version != LD_S3_LIST_OPTIONS_VERSION)
        return ldaws_error_set(error, LD_ERR_INVALID, "ld_s3_list_options.version is %d, not %d",
                               options->version, LD_S3_LIST_OPTIONS_VERSION);
    char *base = NULL, *path = NULL;
    int rc = ldaws_s3_locate(client, bucket, "", &base, &path, error);
    if (rc != LD_OK)
        return rc;
    char what[400];
    snprintf(what, sizeof what, "ListObjectsV2 s3://%s/%s", bucket,
             options->prefix != NULL ? options->prefix : "");
    char max_keys[16];
    snprintf(max_keys, sizeof max_keys, "%d",
             options->page_size > 0 && options->page_size <= 1000 ? options->page_size : 1000);
    char *token = NULL;
    int stopped = 0;
    while (rc == LD_OK && !stopped) {
        const char *query[16];
        int q = 0;
        query[q++] = "list-type";
        query[q++] = "2";
        query[q++] = "max-keys";
        query[q++] = max_keys;
        if (options->prefix != NULL) {
            query[q++] = "prefix";
            query[q++] = options->prefix;
        }
        if (options->delimiter != NULL) {
            query[q++] = "delimiter";
            query[q++] = options->delimiter;
        }
        if (token != NULL) {
            query[q++] = "continuation-token";
            query[q++] = token;
        } else if (options->start_after != NULL) {
            query[q++] = "start-after";
            query[q++] = options->start_after;
        }
        query[q] = NULL;
        ldaws_call call = {0};
        call.base_url = base;
        call.signing_name = "s3";
        call.region = client->region;
        call.method = "GET";
        call.path = path;
        call.query = query;
        call.s3 = 1;
        ldaws_result result = {0};
        rc = ldaws_perform(client, &call, &result, what, error);
        page p = {0};
        if (rc == LD_OK)
            rc = ldaws_xml_parse(result.body.data, result.body.length, read_listing, &p, error);
        if (rc != LD_OK && p.nomem)
            rc = ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        ldaws_result_free(&result);
        for (size_t i = 0; rc == LD_OK && i < p.count && !stopped; i++) {
            const entry *e = &p.entries[i];
            ld_s3_object_entry out = {e->key, e->size, e->etag != NULL ? e->etag : "",
                                      e->last_modified != NULL ? e->last_modified : "",
                                      e->is_prefix};
            stopped = each(payload, &out) != 0;
        }
        free(token);
        token = NULL;
        if (rc == LD_OK && p.truncated) {
            if (p.next_token == NULL || *p.next_token == '\0')
                rc = ldaws_error_set(error, LD_ERR_IO,
                                     "%s: a truncated page without NextContinuationToken", what);
            token = p.next_token;
            p.next_token = NULL;
        } else {
            stopped = 1;
        }
        page_clear(&p);
    }
    free(token);
    free(base);
    free(path);
    return rc;
}

int ld_s3_delete_object(ld_aws_client *client, const char *bucket, const char *key,
                        ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (key == NULL || *key == '\0')
        return ldaws_error_set(error, LD_ERR_INVALID, "DeleteObject: the key is empty");
    ldaws_result result = {0};
    int rc = ldaws_s3_object_request(client, "DeleteObject", "DELETE", bucket, key, &result,
                                     error);
    ldaws_result_free(&result);
    return rc;
}

typedef struct delete_errors {
    char key[300], code[LD_AWS_CODE_MAX], message[200];
    int count;
    int in_error;
} delete_errors;

static int read_delete(void *payload, const char *path, const char *text, size_t length)
{
    delete_errors *d = payload;
    if (strcmp(path, "DeleteResult/Error/Key") == 0 && d->count == 0)
        snprintf(d->key, sizeof d->key, "%.*s", (int)length, text);
    else if (strcmp(path, "DeleteResult/Error/Code") == 0 && d->count == 0)
        snprintf(d->code, sizeof d->code, "%.*s", (int)length, text);
    else if (strcmp(path, "DeleteResult/Error/Message") == 0 && d->count == 0)
        snprintf(d->message, sizeof d->message, "%.*s", (int)length, text);
    else if (strcmp(path, "DeleteResult/Error") == 0)
        d->count++;
    return 0;
}

int ld_s3_delete_objects(ld_aws_client *client, const char *bucket, const char *const *keys,
                         size_t count, ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (client == NULL || (keys == NULL && count > 0))
        return ldaws_error_set(error, LD_ERR_INVALID, "DeleteObjects needs a client and keys");
    char *base = NULL, *path = NULL;
    int rc = ldaws_s3_locate(client, bucket, "", &base, &path, error);
    for (size_t start = 0; rc == LD_OK && start < count; start += 1000) {
        size_t end = count - start > 1000 ? start + 1000 : count;
        ldaws_buf xml = {0};
        ldaws_buf_appendf(&xml, "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                                "<Quiet>true</Quiet>");
        for (size_t i = start; i < end; i++) {
            if (keys[i] == NULL || *keys[i] == '\0') {
                rc = ldaws_error_set(error, LD_ERR_INVALID, "DeleteObjects: key %zu is empty", i);
                break;
            }
            ldaws_buf_appendf(&xml, "<Object><Key>");
            ldaws_buf_append_xml(&xml, keys[i]);
            ldaws_buf_appendf(&xml, "</Key></Object>");
        }
        ldaws_buf_appendf(&xml, "</Delete>");
        if (rc == LD_OK && xml.failed)
            rc = ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        if (rc != LD_OK) {
            ldaws_buf_free(&xml);
            break;
        }
        char md5[25], md5_header[64];
        ldaws_md5_base64(xml.data, xml.length, md5);
        snprintf(md5_header, sizeof md5_header, "Content-MD5: %s", md5);
        const char *query[] = {"delete", "", NULL};
        const char *headers[] = {"Content-Type: application/xml", md5_header, NULL};
        ldaws_call call = {0};
        call.base_url = base;
        call.signing_name = "s3";
        call.region = client->region;
        call.method = "POST";
        call.path = path;
        call.query = query;
        call.headers = headers;
        call.body = xml.data;
        call.body_length = xml.length;
        call.s3 = 1;
        char what[400];
        snprintf(what, sizeof what, "DeleteObjects s3://%s (%zu keys)", bucket, end - start);
        ldaws_result result = {0};
        rc = ldaws_perform(client, &call, &result, what, error);
        delete_errors d = {{0}, {0}, {0}, 0, 0};
        if (rc == LD_OK)
            rc = ldaws_xml_parse(result.body.data, result.body.length, read_delete, &d, error);
        if (rc == LD_OK && d.count > 0) {
            rc = ldaws_error_set(error, LD_ERR_IO, "%s: %d keys were not deleted, first %s: %s: %s",
                                 what, d.count, d.key, d.code, d.message);
            if (error != NULL)
                snprintf(error->aws_code, sizeof error->aws_code, "%s", d.code);
        }
        ldaws_result_free(&result);
        ldaws_buf_free(&xml);
    }
    free(base);
    free(path);
    return rc;
}
