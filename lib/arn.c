/*
 * arn.c - split Amazon Resource Names into their parts (letsdata/arn.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include <letsdata/arn.h>

struct ld_arn {
    char *text;          /* the whole ARN, as parsed */
    char *parts;         /* one allocation holding the NUL-separated fields below */
    const char *partition, *service, *region, *account_id, *resource;
    const char *resource_type; /* NULL when the resource has no type */
    const char *resource_id;
};

LD_EXTERN void ld_arn_free(ld_arn *arn)
{
    if (arn == NULL)
        return;
    free(arn->text);
    free(arn->parts);
    free(arn);
}

static const char *const part_names[] = {"prefix", "partition", "service", "region",
                                         "account id", "resource"};

LD_EXTERN int ld_arn_parse(const char *text, ld_arn **out, ld_error *error)
{
    if (out == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "ARN: no output pointer");
    *out = NULL;
    if (text == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "ARN: the text is NULL");
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return ld_error_set(error, LD_ERR_INVALID,
                                "ARN: control character 0x%02x at position %zu", *c,
                                (size_t)((const char *)c - text));

    /* Six fields separated by the first five colons; the resource keeps its colons. */
    const char *field[6];
    size_t field_len[6];
    const char *p = text;
    for (int i = 0; i < 5; i++) {
        const char *colon = strchr(p, ':');
        if (colon == NULL)
            return ld_error_set(error, LD_ERR_INVALID,
                                "ARN: \"%s\" has %d part%s; expected "
                                "arn:partition:service:region:account-id:resource",
                                text, i + 1, i == 0 ? "" : "s");
        field[i] = p;
        field_len[i] = (size_t)(colon - p);
        p = colon + 1;
    }
    field[5] = p;
    field_len[5] = strlen(p);

    if (field_len[0] != 3 || memcmp(field[0], "arn", 3) != 0)
        return ld_error_set(error, LD_ERR_INVALID, "ARN: \"%s\" does not start with \"arn:\"",
                            text);
    for (int i = 1; i < 6; i++) {
        if (i == 3 || i == 4)
            continue; /* region and account id may be empty (S3) */
        if (field_len[i] == 0)
            return ld_error_set(error, LD_ERR_INVALID, "ARN: the %s of \"%s\" is empty",
                                part_names[i], text);
    }

    ld_arn *arn = calloc(1, sizeof *arn);
    size_t total = strlen(text) + 1;
    if (arn == NULL || (arn->text = ld_strdup(text)) == NULL ||
        (arn->parts = malloc(total + field_len[5] + 2)) == NULL) {
        ld_arn_free(arn);
        return ld_error_set(error, LD_ERR_NOMEM, "ARN: out of memory");
    }
    char *w = arn->parts;
    const char **slots[] = {NULL, &arn->partition, &arn->service, &arn->region,
                            &arn->account_id, &arn->resource};
    for (int i = 1; i < 6; i++) {
        memcpy(w, field[i], field_len[i]);
        w[field_len[i]] = '\0';
        *slots[i] = w;
        w += field_len[i] + 1;
    }
    /* resource type: text before the first '/' or ':' when there is one. */
    size_t type_len = strcspn(arn->resource, "/:");
    if (arn->resource[type_len] != '\0') {
        memcpy(w, arn->resource, type_len);
        w[type_len] = '\0';
        arn->resource_type = w;
        arn->resource_id = arn->resource + type_len + 1;
    } else {
        arn->resource_type = NULL;
        arn->resource_id = arn->resource;
    }
    *out = arn;
    return LD_OK;
}

LD_EXTERN const char *ld_arn_partition(const ld_arn *arn) { return arn->partition; }
LD_EXTERN const char *ld_arn_service(const ld_arn *arn) { return arn->service; }
LD_EXTERN const char *ld_arn_region(const ld_arn *arn) { return arn->region; }
LD_EXTERN const char *ld_arn_account_id(const ld_arn *arn) { return arn->account_id; }
LD_EXTERN const char *ld_arn_resource(const ld_arn *arn) { return arn->resource; }
LD_EXTERN const char *ld_arn_resource_type(const ld_arn *arn) { return arn->resource_type; }
LD_EXTERN const char *ld_arn_resource_id(const ld_arn *arn) { return arn->resource_id; }

LD_EXTERN char *ld_arn_to_string(const ld_arn *arn)
{
    return ld_strdup(arn->text);
}
