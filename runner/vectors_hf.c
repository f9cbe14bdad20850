/*
 * vectors_hf.c - the HuggingFace inference toolkit's feature-extraction JSON, as the
 * http: and sagemaker: vectorizers send and read it (see vectorize.h):
 *   {"inputs": "text"}          -> [f, ...] or token vectors [[f, ...], ...]
 *   {"inputs": ["t1", "t2"]}    -> one of those per input, in order
 * Token vectors are mean-pooled into one vector (a leading batch dimension of one, as
 * the pipeline answers for a single text, is dropped first).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/json.h>

#include "runtime_internal.h"
#include "vectorize.h"

/* Depth of nested arrays along the first elements: 0 for a number. */
static int depth_of(const json_t *value)
{
    int depth = 0;
    while (json_is_array(value)) {
        depth++;
        value = json_array_get(value, 0);
    }
    return depth;
}

/* One input's answer: a vector, or token vectors to mean-pool. */
static void read_vector(const json_t *value, ldvec_item *item)
{
    char problem[300] = "";
    int depth = depth_of(value);
    while (depth > 2 && json_array_size(value) == 1) { /* [[[...]]]: a batch of one */
        value = json_array_get(value, 0);
        depth--;
    }
    if (depth == 1) {
        size_t n = json_array_size(value);
        item->values = calloc(n ? n : 1, sizeof *item->values);
        item->length = n;
        for (size_t i = 0; item->values != NULL && i < n && !*problem; i++) {
            const json_t *x = json_array_get(value, i);
            if (!json_is_number(x))
                snprintf(problem, sizeof problem, "element %zu of the vector is not a number", i);
            else
                item->values[i] = json_number_value(x);
        }
    } else if (depth == 2) {
        size_t rows = json_array_size(value);
        size_t n = json_array_size(json_array_get(value, 0));
        item->values = calloc(n ? n : 1, sizeof *item->values);
        item->length = n;
        for (size_t r = 0; item->values != NULL && r < rows && !*problem; r++) {
            const json_t *row = json_array_get(value, r);
            if (json_array_size(row) != n || !json_is_array(row)) {
                snprintf(problem, sizeof problem,
                         "token vector %zu has %zu numbers where the first has %zu", r,
                         json_array_size(row), n);
                break;
            }
            for (size_t i = 0; i < n; i++) {
                const json_t *x = json_array_get(row, i);
                if (!json_is_number(x)) {
                    snprintf(problem, sizeof problem,
                             "element %zu of token vector %zu is not a number", i, r);
                    break;
                }
                item->values[i] += json_number_value(x);
            }
        }
        for (size_t i = 0; item->values != NULL && rows > 0 && i < n; i++)
            item->values[i] /= (double)rows;
    } else {
        snprintf(problem, sizeof problem,
                 "the answer is not a vector or a list of token vectors (%s)",
                 json_is_array(value) ? "arrays nested too deep, or empty" : "not an array");
    }
    if (*problem || item->values == NULL) {
        free(item->values);
        item->values = NULL;
        item->length = 0;
        item->error = strdup(*problem ? problem : "out of memory");
    }
}

int ldvec_hf_request_body(const char *const *texts, size_t count, ldrt_buf *body)
{
    json_t *inputs;
    if (count == 1)
        inputs = json_string(texts[0]);
    else {
        inputs = json_array();
        for (size_t i = 0; inputs != NULL && i < count; i++)
            if (json_array_append_new(inputs, json_string(texts[i])) != 0) {
                json_decref(inputs);
                inputs = NULL;
            }
    }
    json_t *request = inputs ? json_pack("{s:o}", "inputs", inputs) : NULL;
    if (request != NULL)
        ldrt_json_write(body, request);
    json_decref(request);
    return request == NULL || body->oom ? -1 : 0;
}

int ldvec_hf_read_answer(const char *text, size_t length, size_t count, ldvec_item *items,
                         ldvec_failure *failure)
{
    ld_error parse_error = {0};
    json_t *answer = ld_json_parse(text, length, &parse_error);
    /* An answer that cannot be taken apart fails the whole batch (which is then sent
     * again one text at a time); for a single text it is that text's error. */
    if (count > 1 && (answer == NULL || !json_is_array(answer) ||
                      json_array_size(answer) != count)) {
        if (answer == NULL)
            snprintf(failure->message, sizeof failure->message,
                     "the endpoint's answer is not valid JSON: %s", parse_error.message);
        else
            snprintf(failure->message, sizeof failure->message,
                     "the endpoint answered %zu vectors for a batch of %zu texts",
                     json_array_size(answer), count);
        json_decref(answer);
        return -1;
    }
    if (answer == NULL) {
        char message[700];
        snprintf(message, sizeof message, "the endpoint's answer is not valid JSON: %s",
                 parse_error.message);
        items[0].error = strdup(message);
        return 0;
    }
    if (count == 1)
        read_vector(answer, &items[0]);
    else
        for (size_t i = 0; i < count; i++)
            read_vector(json_array_get(answer, i), &items[i]);
    json_decref(answer);
    return 0;
}

void ldvec_hf_error_message(long status, const char *error_type, const char *text,
                            size_t length, char *out, size_t size)
{
    json_t *body = text ? ld_json_parse(text, length, NULL) : NULL;
    const char *member = NULL;
    static const char *const keys[] = {"error", "message", "Message", "errorMessage", "detail"};
    for (size_t k = 0; body != NULL && member == NULL && k < sizeof keys / sizeof keys[0]; k++)
        member = json_string_value(json_object_get(body, keys[k]));
    int shown = member ? (int)strlen(member) : text ? (int)length : 0;
    if (shown > 400)
        shown = 400;
    int typed = error_type != NULL && *error_type;
    snprintf(out, size, "HTTP %ld%s%s%s%.*s", status, typed ? " " : "", typed ? error_type : "",
             shown > 0 ? ": " : "", shown, member ? member : text ? text : "");
    json_decref(body);
}
