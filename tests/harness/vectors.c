/*
 * vectors.c - load the conformance vectors from $LD_CONFORMANCE_DIR and check
 * responses against them (see vectors.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/testing.h>

#include "vectors.h"

static const char *conformance_dir(void)
{
    const char *dir = getenv("LD_CONFORMANCE_DIR");
    if (dir == NULL || *dir == '\0') {
        fprintf(stderr, "vectors: LD_CONFORMANCE_DIR is not set (meson test sets it)\n");
        return NULL;
    }
    return dir;
}

static char *read_file(const char *path, size_t *length)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return NULL;
    }
    char *data = NULL;
    size_t size = 0, used = 0;
    for (;;) {
        if (used + 65536 + 1 > size) {
            size = (used + 65536 + 1) * 2;
            char *grown = realloc(data, size);
            if (grown == NULL) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = grown;
        }
        size_t n = fread(data + used, 1, 65536, f);
        used += n;
        if (n == 0)
            break;
    }
    fclose(f);
    data[used] = '\0';
    *length = used;
    return data;
}

static int push(ldt_vector_set *set, ldt_vector vector)
{
    ldt_vector *items = realloc(set->items, (set->count + 1) * sizeof *items);
    if (items == NULL)
        return -1;
    set->items = items;
    set->items[set->count++] = vector;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(((const ldt_vector *)a)->name, ((const ldt_vector *)b)->name);
}

int ldt_vectors_load_dir(const char *subdir, ldt_vector_set *out)
{
    memset(out, 0, sizeof *out);
    const char *root = conformance_dir();
    if (root == NULL)
        return -1;
    char dir_path[4096];
    snprintf(dir_path, sizeof dir_path, "%s/%s", root, subdir);
    DIR *dir = opendir(dir_path);
    if (dir == NULL) {
        perror(dir_path);
        return -1;
    }
    static const char suffix[] = ".request.json";
    struct dirent *entry;
    int status = 0;
    while ((entry = readdir(dir)) != NULL) {
        size_t n = strlen(entry->d_name);
        if (n <= sizeof suffix - 1 || strcmp(entry->d_name + n - (sizeof suffix - 1), suffix) != 0)
            continue;
        ldt_vector v = {0};
        v.name = strndup(entry->d_name, n - (sizeof suffix - 1));
        char path[4352];
        snprintf(path, sizeof path, "%s/%s", dir_path, entry->d_name);
        v.request = read_file(path, &v.request_length);
        snprintf(path, sizeof path, "%s/%s.response.json", dir_path, v.name ? v.name : "");
        json_error_t error;
        v.expected = json_load_file(path, 0, &error);
        if (v.name == NULL || v.request == NULL || v.expected == NULL) {
            fprintf(stderr, "vectors: cannot load %s: %s\n", path, error.text);
            free(v.name);
            free(v.request);
            json_decref(v.expected);
            status = -1;
            break;
        }
        if (push(out, v) != 0) {
            status = -1;
            break;
        }
    }
    closedir(dir);
    if (status == 0 && out->count == 0) {
        fprintf(stderr, "vectors: no *.request.json in %s\n", dir_path);
        status = -1;
    }
    if (status != 0) {
        ldt_vector_set_free(out);
        return -1;
    }
    qsort(out->items, out->count, sizeof *out->items, compare_names);
    return 0;
}

static int base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decode standard base64 (with '=' padding) into a new NUL-terminated buffer. */
static char *base64_decode(const char *text, size_t *length)
{
    size_t n = strlen(text);
    char *out = malloc(n / 4 * 3 + 4);
    if (out == NULL)
        return NULL;
    size_t used = 0;
    unsigned bits = 0;
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '=')
            break;
        int v = base64_value((unsigned char)text[i]);
        if (v < 0) {
            free(out);
            return NULL;
        }
        bits = (bits << 6) | (unsigned)v;
        if (++count == 4) {
            out[used++] = (char)(bits >> 16);
            out[used++] = (char)(bits >> 8);
            out[used++] = (char)bits;
            bits = 0;
            count = 0;
        }
    }
    if (count == 3) {
        out[used++] = (char)(bits >> 10);
        out[used++] = (char)(bits >> 2);
    } else if (count == 2) {
        out[used++] = (char)(bits >> 4);
    }
    out[used] = '\0';
    *length = used;
    return out;
}

int ldt_vectors_load_bad_requests(ldt_vector_set *out)
{
    memset(out, 0, sizeof *out);
    const char *root = conformance_dir();
    if (root == NULL)
        return -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/bad-requests.jsonl", root);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    char *line = NULL;
    size_t capacity = 0;
    int status = 0;
    while (getline(&line, &capacity, f) > 0) {
        json_error_t error;
        json_t *item = json_loads(line, 0, &error);
        const char *name = json_string_value(json_object_get(item, "name"));
        const char *body = json_string_value(json_object_get(item, "body_b64"));
        json_t *mention = json_object_get(item, "mention");
        ldt_vector v = {0};
        if (name != NULL && body != NULL) {
            v.name = strdup(name);
            v.request = base64_decode(body, &v.request_length);
            v.mention = json_is_string(mention) ? strdup(json_string_value(mention)) : NULL;
        }
        json_decref(item);
        if (v.name == NULL || v.request == NULL || push(out, v) != 0) {
            fprintf(stderr, "vectors: bad line in %s\n", path);
            free(v.name);
            free(v.request);
            free(v.mention);
            status = -1;
            break;
        }
    }
    free(line);
    fclose(f);
    if (status == 0 && out->count == 0)
        status = -1;
    if (status != 0)
        ldt_vector_set_free(out);
    return status;
}

void ldt_vector_set_free(ldt_vector_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        free(set->items[i].name);
        free(set->items[i].request);
        free(set->items[i].mention);
        json_decref(set->items[i].expected);
    }
    free(set->items);
    memset(set, 0, sizeof *set);
}

/* "NAME: DETAIL" as a new string. */
static char *describe(const char *name, const char *detail)
{
    char *text = NULL;
    if (asprintf(&text, "%s: %s", name, detail) < 0)
        return NULL;
    return text;
}

char *ldt_vector_check(const ldt_vector *vector, const char *response, size_t response_length)
{
    json_error_t error;
    json_t *actual = json_loadb(response, response_length, 0, &error);
    if (actual == NULL)
        {
        char detail[256];
        snprintf(detail, sizeof detail, "the response is not JSON: %s", error.text);
        return describe(vector->name, detail);
    }
    char *difference = NULL;
    if (vector->expected != NULL) {
        if (!ld_testing_json_match(vector->expected, actual, &difference) && difference == NULL)
            difference = describe(vector->name, "mismatch");
        else if (difference != NULL) {
            char *named = describe(vector->name, difference);
            free(difference);
            difference = named;
        }
        json_decref(actual);
        return difference;
    }
    json_t *body = json_object_get(actual, "body");
    json_t *exception = json_object_get(body, "exception");
    const char *message = json_string_value(json_object_get(body, "errorMessage"));
    if (json_integer_value(json_object_get(actual, "StatusCode")) != 500 ||
        !json_is_string(json_object_get(body, "statusCode")) ||
        strcmp(json_string_value(json_object_get(body, "statusCode")), "EXCEPTION") != 0 ||
        message == NULL || !json_is_object(exception) ||
        !json_is_string(json_object_get(exception, "errorType")) ||
        !json_is_string(json_object_get(exception, "stackTrace")) ||
        !json_equal(json_object_get(exception, "errorMessage"),
                    json_object_get(body, "errorMessage"))) {
        json_decref(actual);
        return describe(vector->name, "not a complete EXCEPTION envelope");
    }
    if (vector->mention != NULL && strstr(message, vector->mention) == NULL) {
        char *text = NULL;
        if (asprintf(&text, "%s: errorMessage \"%s\" does not mention '%s'", vector->name,
                     message, vector->mention) < 0)
            text = NULL;
        json_decref(actual);
        return text;
    }
    json_decref(actual);
    return NULL;
}
