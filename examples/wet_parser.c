/*
 * wet_parser.c - a SingleFileParser for Common Crawl WET files: each "conversion"
 * record becomes a Document holding the page text and its WARC headers.
 *
 * A WET record looks like
 *
 *   WARC/1.0\r\n
 *   WARC-Type: conversion\r\n
 *   WARC-Target-URI: http://example.com/\r\n
 *   ...more headers...\r\n
 *   \r\n
 *   the page text, UTF-8, lines separated by \n\r\n\r\n
 *
 * The runtime (or the local runner) splits the file at "WARC-Type: conversion" and
 * "\n\r\n\r\n" and calls parse_document once per record.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "examples.h"

static int get_s3_file_type(ld_context *ctx, void *payload, char **file_type)
{
    (void)payload;
    *file_type = ld_strdup("WET");
    return *file_type ? LD_OK : ld_context_fail(ctx, "MemoryError", "out of memory");
}

static int get_resolved_s3_file_name(ld_context *ctx, void *payload, const char *s3_file_type,
                                     const char *file_name, char **resolved)
{
    (void)payload;
    (void)s3_file_type;
    *resolved = ld_strdup(file_name);
    return *resolved ? LD_OK : ld_context_fail(ctx, "MemoryError", "out of memory");
}

static int get_record_start_pattern(ld_context *ctx, void *payload, const char *s3_file_type,
                                    ld_record_parse_hint *hint)
{
    (void)payload;
    (void)s3_file_type;
    if (ld_record_parse_hint_set_pattern(hint, "WARC-Type: conversion") != LD_OK)
        return ld_context_fail(ctx, "MemoryError", "out of memory");
    return LD_OK;
}

static int get_record_end_pattern(ld_context *ctx, void *payload, const char *s3_file_type,
                                  ld_record_parse_hint *hint)
{
    (void)payload;
    (void)s3_file_type;
    if (ld_record_parse_hint_set_pattern(hint, "\n\r\n\r\n") != LD_OK)
        return ld_context_fail(ctx, "MemoryError", "out of memory");
    return LD_OK;
}

/*
 * The WARC headers the document keeps, and the names they get in it. The reference
 * handler's documents carry no contentLength even when Content-Length is present (see
 * the conformance vectors), so neither do ours: downstream readers see the same keys.
 */
#define USED_HEADERS 5
static const char *const used_headers[USED_HEADERS] = {
    "WARC-Target-URI", /* the document's id, URL and partition key */
    "WARC-Identified-Content-Language", "Content-Type", "WARC-Block-Digest", "WARC-Date"};
static const char *const kept_names[USED_HEADERS - 1] = {"language", "contentType",
                                                         "blockDigest", "warcDate"};

/*
 * A new JSON string of text[start, end) trimmed of white space, or NULL (invalid UTF-8,
 * or out of memory). @p checked: the whole record is already known to be valid UTF-8
 * (parse_document checks it once), so the string is made without a second check.
 */
static json_t *trimmed_string(const char *text, size_t start, size_t end, int checked)
{
    size_t s, e;
    ld_example_strip(text + start, end - start, &s, &e);
    return checked ? ld_json_string_trusted(text + start + s, e - s)
                   : json_stringn(text + start + s, e - s);
}

/* Memory search bounded by [p, end): memchr for the needle's first byte is faster than
 * memmem over the short spans of a header. */
static const char *find(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    while (p < end) {
        const char *hit = memchr(p, needle[0], (size_t)(end - p));
        if (hit == NULL || (size_t)(end - hit) < n)
            return NULL;
        if (memcmp(hit, needle, n) == 0)
            return hit;
        p = hit + 1;
    }
    return NULL;
}

/* Which used header the key text[0, length) names (as a C string: up to a NUL, as a
 * JSON object key would be), or -1. */
static int used_header(const char *text, size_t length)
{
    for (int i = 0; i < USED_HEADERS; i++) {
        size_t n = strlen(used_headers[i]);
        if (length >= n && memcmp(text, used_headers[i], n) == 0 &&
            (length == n || text[n] == '\0'))
            return i;
    }
    return -1;
}

/*
 * Parse the header lines in [p, end): every line is checked for its form (and, when the
 * record is not @p checked, its UTF-8); the values of the headers the document uses go
 * to @p used (the last one wins, as in a name -> value map). @return LD_OK, or the
 * failure of @p ctx naming the bad line.
 */
static int parse_headers(ld_context *ctx, const char *p, const char *end,
                         json_t *used[USED_HEADERS], int checked)
{
    while (p < end) {
        const char *line_end = find(p, end, "\r\n");
        if (line_end == NULL)
            line_end = end;
        size_t length = (size_t)(line_end - p);
        if (length > 0 && !(length >= 8 && memcmp(p, "WARC/1.0", 8) == 0)) {
            if (memchr(p, ':', length) == NULL)
                return ld_context_fail(ctx, "ValueError",
                                       "WARC header line '%.*s' has no ':'", (int)length, p);
            const char *separator = find(p, line_end, ": ");
            if (separator == NULL)
                return ld_context_fail(ctx, "ValueError",
                                       "WARC header line '%.*s' has no ': ' separator",
                                       (int)length, p);
            /* The value ends at a further ": " if there is one (as the reference). */
            const char *value = separator + 2;
            const char *value_end = find(value, line_end, ": ");
            if (value_end == NULL)
                value_end = line_end;
            size_t ks, ke;
            ld_example_strip(p, (size_t)(separator - p), &ks, &ke);
            int slot = used_header(p + ks, ke - ks);
            if (checked && slot < 0) {
                p = line_end + 2;
                continue; /* valid, and not used: no JSON string needed */
            }
            json_t *text = trimmed_string(value, 0, (size_t)(value_end - value), checked);
            int key_ok = checked || ld_utf8_check(p + ks, ke - ks, NULL) == LD_OK;
            if (!key_ok || text == NULL) {
                json_decref(text);
                return ld_context_fail(ctx, "UnicodeDecodeError",
                                       "WARC header line '%.*s' is not valid UTF-8",
                                       (int)length, p);
            }
            if (slot >= 0) {
                json_decref(used[slot]);
                used[slot] = text;
            } else {
                json_decref(text);
            }
        }
        p = line_end + 2;
    }
    return LD_OK;
}

static int parse_document(ld_context *ctx, void *payload, const char *s3_file_type,
                          const char *file_name, int64_t offset_bytes, const char *buffer,
                          size_t start_index, size_t end_index,
                          ld_parse_document_result *result)
{
    (void)payload;
    (void)s3_file_type;
    (void)file_name;
    (void)offset_bytes;
    const char *record = buffer + start_index;
    const char *record_end = buffer + end_index;
    const char *header_end = find(record, record_end, "\r\n\r\n");
    if (header_end == NULL)
        return ld_context_fail(ctx, "ValueError",
                               "the record has no end of header (\\r\\n\\r\\n)");

    /* One UTF-8 check for the whole record (fast on ASCII); its strings are then made
     * without jansson's per-string check. A record with bad bytes takes the checked path,
     * which says which part is bad. */
    int checked = ld_utf8_check(record, (size_t)(record_end - record), NULL) == LD_OK;
    json_t *headers[USED_HEADERS] = {NULL};
    int rc = parse_headers(ctx, record, header_end, headers, checked);
    if (rc != LD_OK) {
        for (int i = 0; i < USED_HEADERS; i++)
            json_decref(headers[i]);
        return rc;
    }

    const char *body = header_end + 4;
    json_t *doc_text = trimmed_string(body, 0, (size_t)(record_end - body), checked);
    const char *url = json_string_value(headers[0]);
    if (doc_text == NULL || json_string_length(doc_text) == 0 || url == NULL || *url == '\0') {
        const char *why = doc_text == NULL ? "the document text is not valid UTF-8"
                          : json_string_length(doc_text) == 0 ? "the document text is empty"
                                                              : "WARC-Target-URI is missing or empty";
        json_decref(doc_text);
        for (int i = 0; i < USED_HEADERS; i++)
            json_decref(headers[i]);
        return ld_context_fail(ctx, "ValueError", "%s", why);
    }

    json_t *values = json_object();
    json_object_set_new(values, "docText", doc_text);
    json_object_set_new(values, "url", json_string(url));
    json_object_set_new(values, "docId", json_string(url));
    json_object_set_new(values, "partitionKey", json_string(url));
    for (int i = 1; i < USED_HEADERS; i++)
        if (headers[i] != NULL)
            json_object_set(values, kept_names[i - 1], headers[i]);
    ld_error error;
    ld_document *doc = ld_document_create(
        &LD_DOCUMENT_OPTIONS(.document_id = url, .record_type = "Content", .partition_key = url,
                             .metadata = json_object(), .key_values = values),
        &error);
    for (int i = 0; i < USED_HEADERS; i++)
        json_decref(headers[i]);
    if (doc == NULL)
        return ld_example_document_failed(ctx, &error);
    ld_parse_document_result_set(result, LD_PARSE_SUCCESS, doc);
    return LD_OK;
}

const ld_single_file_parser ld_example_wet_parser = {
    .version = LD_SINGLE_FILE_PARSER_VERSION,
    .get_s3_file_type = get_s3_file_type,
    .get_resolved_s3_file_name = get_resolved_s3_file_name,
    .get_record_start_pattern = get_record_start_pattern,
    .get_record_end_pattern = get_record_end_pattern,
    .parse_document = parse_document,
};
