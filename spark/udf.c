/*
 * udf.c - C scalar UDFs: one call per row through an ld_spark_udf_call, which reads the
 * row's arguments from the engine's vectors and collects the result.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spark_internal.h"

typedef struct udf_arg {
    int kind;
    void *data;
    uint64_t *validity;
    duckdb_list_entry *lists; /* list and map kinds */
    void *child_data;         /* list elements, or map keys */
    uint64_t *child_validity;
    duckdb_string_t *map_values;
    uint64_t *map_values_validity;
} udf_arg;

typedef struct udf_elem {
    int is_null;
    int64_t i;
    double d;
    size_t off, len;   /* text (list element, or map value) in call->strings */
    size_t koff, klen; /* map key */
} udf_elem;

struct ld_spark_udf_call {
    lds_udf *udf;
    idx_t row;
    udf_arg *args;
    size_t arg_count;
    /* the result */
    int has_result;
    int is_list;
    int64_t i;
    double d;
    lds_buf strings; /* text result, or the elements' text */
    udf_elem *elems;
    size_t elem_count, elem_cap;
    int failed_alloc;
    char *error;
};

/* ---- type names ---- */

static int kind_of(const char *spec)
{
    char norm[64];
    size_t n = 0;
    for (const char *p = spec; *p && n + 1 < sizeof norm; p++)
        if (*p != ' ')
            norm[n++] = (char)toupper((unsigned char)*p);
    norm[n] = '\0';
    static const struct {
        const char *name;
        int kind;
    } names[] = {
        {"VARCHAR", LDS_KIND_VARCHAR},          {"TEXT", LDS_KIND_VARCHAR},
        {"STRING", LDS_KIND_VARCHAR},           {"BIGINT", LDS_KIND_BIGINT},
        {"INTEGER", LDS_KIND_INTEGER},          {"INT", LDS_KIND_INTEGER},
        {"DOUBLE", LDS_KIND_DOUBLE},            {"BOOLEAN", LDS_KIND_BOOLEAN},
        {"TIMESTAMPWITHTIMEZONE", LDS_KIND_TIMESTAMPTZ}, {"TIMESTAMPTZ", LDS_KIND_TIMESTAMPTZ},
        {"VARCHAR[]", LDS_KIND_LIST_VARCHAR},   {"BIGINT[]", LDS_KIND_LIST_BIGINT},
        {"DOUBLE[]", LDS_KIND_LIST_DOUBLE},     {"MAP(VARCHAR,VARCHAR)", LDS_KIND_MAP_VARCHAR},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(norm, names[i].name) == 0)
            return names[i].kind;
    return 0;
}

static duckdb_logical_type logical_type(int kind)
{
    duckdb_type base;
    switch (kind) {
    case LDS_KIND_VARCHAR: base = DUCKDB_TYPE_VARCHAR; break;
    case LDS_KIND_BIGINT: base = DUCKDB_TYPE_BIGINT; break;
    case LDS_KIND_INTEGER: base = DUCKDB_TYPE_INTEGER; break;
    case LDS_KIND_DOUBLE: base = DUCKDB_TYPE_DOUBLE; break;
    case LDS_KIND_BOOLEAN: base = DUCKDB_TYPE_BOOLEAN; break;
    case LDS_KIND_TIMESTAMPTZ: base = DUCKDB_TYPE_TIMESTAMP_TZ; break;
    case LDS_KIND_LIST_VARCHAR: base = DUCKDB_TYPE_VARCHAR; break;
    case LDS_KIND_LIST_BIGINT: base = DUCKDB_TYPE_BIGINT; break;
    case LDS_KIND_LIST_DOUBLE: base = DUCKDB_TYPE_DOUBLE; break;
    default: {
        duckdb_logical_type v = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
        duckdb_logical_type m = duckdb_create_map_type(v, v);
        duckdb_destroy_logical_type(&v);
        return m;
    }
    }
    duckdb_logical_type t = duckdb_create_logical_type(base);
    if (kind == LDS_KIND_LIST_VARCHAR || kind == LDS_KIND_LIST_BIGINT || kind == LDS_KIND_LIST_DOUBLE) {
        duckdb_logical_type list = duckdb_create_list_type(t);
        duckdb_destroy_logical_type(&t);
        return list;
    }
    return t;
}

static int is_list_kind(int kind)
{
    return kind == LDS_KIND_LIST_VARCHAR || kind == LDS_KIND_LIST_BIGINT ||
           kind == LDS_KIND_LIST_DOUBLE || kind == LDS_KIND_MAP_VARCHAR;
}

/* ---- arguments ---- */

static inline int valid_at(uint64_t *validity, idx_t row)
{
    return validity == NULL || duckdb_validity_row_is_valid(validity, row);
}

static const udf_arg *arg_at(const ld_spark_udf_call *call, size_t i)
{
    return (call != NULL && i < call->arg_count) ? &call->args[i] : NULL;
}

size_t ld_spark_udf_arg_count(const ld_spark_udf_call *call)
{
    return call ? call->arg_count : 0;
}

int ld_spark_udf_arg_is_null(const ld_spark_udf_call *call, size_t i)
{
    const udf_arg *a = arg_at(call, i);
    return a == NULL || !valid_at(a->validity, call->row);
}

const char *ld_spark_udf_arg_text(const ld_spark_udf_call *call, size_t i, size_t *length)
{
    const udf_arg *a = arg_at(call, i);
    if (length)
        *length = 0;
    if (a == NULL || a->kind != LDS_KIND_VARCHAR || !valid_at(a->validity, call->row))
        return NULL;
    duckdb_string_t *s = &((duckdb_string_t *)a->data)[call->row];
    if (length)
        *length = duckdb_string_t_length(*s);
    return duckdb_string_t_data(s);
}

int64_t ld_spark_udf_arg_int64(const ld_spark_udf_call *call, size_t i)
{
    const udf_arg *a = arg_at(call, i);
    if (a == NULL || !valid_at(a->validity, call->row))
        return 0;
    switch (a->kind) {
    case LDS_KIND_BIGINT:
    case LDS_KIND_TIMESTAMPTZ: return ((int64_t *)a->data)[call->row];
    case LDS_KIND_INTEGER: return ((int32_t *)a->data)[call->row];
    case LDS_KIND_BOOLEAN: return ((bool *)a->data)[call->row] ? 1 : 0;
    case LDS_KIND_DOUBLE: return (int64_t)((double *)a->data)[call->row];
    default: return 0;
    }
}

double ld_spark_udf_arg_double(const ld_spark_udf_call *call, size_t i)
{
    const udf_arg *a = arg_at(call, i);
    if (a == NULL || !valid_at(a->validity, call->row))
        return 0;
    if (a->kind == LDS_KIND_DOUBLE)
        return ((double *)a->data)[call->row];
    return (double)ld_spark_udf_arg_int64(call, i);
}

size_t ld_spark_udf_arg_list_length(const ld_spark_udf_call *call, size_t i)
{
    const udf_arg *a = arg_at(call, i);
    if (a == NULL || a->lists == NULL || !valid_at(a->validity, call->row))
        return 0;
    return a->lists[call->row].length;
}

/* The element index of entry j of list/map argument i, or -1. */
static long long element(const ld_spark_udf_call *call, size_t i, size_t j, const udf_arg **out)
{
    const udf_arg *a = arg_at(call, i);
    if (a == NULL || a->lists == NULL || !valid_at(a->validity, call->row) ||
        j >= a->lists[call->row].length)
        return -1;
    *out = a;
    return (long long)(a->lists[call->row].offset + j);
}

int ld_spark_udf_arg_list_is_null(const ld_spark_udf_call *call, size_t i, size_t j)
{
    const udf_arg *a;
    long long e = element(call, i, j, &a);
    return e < 0 || !valid_at(a->child_validity, (idx_t)e);
}

const char *ld_spark_udf_arg_list_text(const ld_spark_udf_call *call, size_t i, size_t j,
                                       size_t *length)
{
    const udf_arg *a;
    long long e = element(call, i, j, &a);
    if (length)
        *length = 0;
    if (e < 0 || a->kind != LDS_KIND_LIST_VARCHAR || !valid_at(a->child_validity, (idx_t)e))
        return NULL;
    duckdb_string_t *s = &((duckdb_string_t *)a->child_data)[e];
    if (length)
        *length = duckdb_string_t_length(*s);
    return duckdb_string_t_data(s);
}

int64_t ld_spark_udf_arg_list_int64(const ld_spark_udf_call *call, size_t i, size_t j)
{
    const udf_arg *a;
    long long e = element(call, i, j, &a);
    if (e < 0 || !valid_at(a->child_validity, (idx_t)e))
        return 0;
    if (a->kind == LDS_KIND_LIST_BIGINT)
        return ((int64_t *)a->child_data)[e];
    if (a->kind == LDS_KIND_LIST_DOUBLE)
        return (int64_t)((double *)a->child_data)[e];
    return 0;
}

double ld_spark_udf_arg_list_double(const ld_spark_udf_call *call, size_t i, size_t j)
{
    const udf_arg *a;
    long long e = element(call, i, j, &a);
    if (e < 0 || !valid_at(a->child_validity, (idx_t)e))
        return 0;
    if (a->kind == LDS_KIND_LIST_DOUBLE)
        return ((double *)a->child_data)[e];
    if (a->kind == LDS_KIND_LIST_BIGINT)
        return (double)((int64_t *)a->child_data)[e];
    return 0;
}

const char *ld_spark_udf_arg_map_key(const ld_spark_udf_call *call, size_t i, size_t j,
                                     size_t *length)
{
    const udf_arg *a;
    long long e = element(call, i, j, &a);
    if (length)
        *length = 0;
    if (e < 0 || a->kind != LDS_KIND_MAP_VARCHAR)
        return NULL;
    duckdb_string_t *s = &((duckdb_string_t *)a->child_data)[e];
    if (length)
        *length = duckdb_string_t_length(*s);
    return duckdb_string_t_data(s);
}

const char *ld_spark_udf_arg_map_value(const ld_spark_udf_call *call, size_t i, size_t j,
                                       size_t *length)
{
    const udf_arg *a;
    long long e = element(call, i, j, &a);
    if (length)
        *length = 0;
    if (e < 0 || a->kind != LDS_KIND_MAP_VARCHAR || !valid_at(a->map_values_validity, (idx_t)e))
        return NULL;
    duckdb_string_t *s = &a->map_values[e];
    if (length)
        *length = duckdb_string_t_length(*s);
    return duckdb_string_t_data(s);
}

/* ---- results ---- */

void ld_spark_udf_result_null(ld_spark_udf_call *call)
{
    if (call == NULL)
        return;
    call->has_result = 0;
    call->is_list = 0;
    call->elem_count = 0;
    call->strings.length = 0;
}

void ld_spark_udf_result_text(ld_spark_udf_call *call, const char *text, size_t length)
{
    if (call == NULL)
        return;
    ld_spark_udf_result_null(call);
    if (text == NULL)
        return;
    if (lds_buf_append(&call->strings, text, length) != 0) {
        call->failed_alloc = 1;
        return;
    }
    call->has_result = 1;
}

void ld_spark_udf_result_int64(ld_spark_udf_call *call, int64_t value)
{
    if (call == NULL)
        return;
    ld_spark_udf_result_null(call);
    call->i = value;
    call->d = (double)value;
    call->has_result = 1;
}

void ld_spark_udf_result_double(ld_spark_udf_call *call, double value)
{
    if (call == NULL)
        return;
    ld_spark_udf_result_null(call);
    call->d = value;
    call->i = (int64_t)value;
    call->has_result = 1;
}

void ld_spark_udf_result_list_begin(ld_spark_udf_call *call)
{
    if (call == NULL || call->is_list)
        return;
    ld_spark_udf_result_null(call);
    call->is_list = 1;
    call->has_result = 1;
}

void ld_spark_udf_result_map_begin(ld_spark_udf_call *call)
{
    ld_spark_udf_result_list_begin(call);
}

static udf_elem *push_elem(ld_spark_udf_call *call)
{
    ld_spark_udf_result_list_begin(call);
    if (call->elem_count == call->elem_cap) {
        size_t cap = call->elem_cap ? call->elem_cap * 2 : 16;
        udf_elem *grown = realloc(call->elems, cap * sizeof *grown);
        if (grown == NULL) {
            call->failed_alloc = 1;
            return NULL;
        }
        call->elems = grown;
        call->elem_cap = cap;
    }
    udf_elem *e = &call->elems[call->elem_count++];
    memset(e, 0, sizeof *e);
    return e;
}

void ld_spark_udf_result_list_append_text(ld_spark_udf_call *call, const char *text,
                                          size_t length)
{
    if (call == NULL)
        return;
    udf_elem *e = push_elem(call);
    if (e == NULL)
        return;
    if (text == NULL) {
        e->is_null = 1;
        return;
    }
    e->off = call->strings.length;
    e->len = length;
    if (lds_buf_append(&call->strings, text, length) != 0)
        call->failed_alloc = 1;
}

void ld_spark_udf_result_list_append_int64(ld_spark_udf_call *call, int64_t value)
{
    udf_elem *e = call ? push_elem(call) : NULL;
    if (e != NULL) {
        e->i = value;
        e->d = (double)value;
    }
}

void ld_spark_udf_result_list_append_double(ld_spark_udf_call *call, double value)
{
    udf_elem *e = call ? push_elem(call) : NULL;
    if (e != NULL) {
        e->d = value;
        e->i = (int64_t)value;
    }
}

void ld_spark_udf_result_map_put_text(ld_spark_udf_call *call, const char *key,
                                      size_t key_length, const char *value, size_t value_length)
{
    if (call == NULL || key == NULL)
        return;
    ld_spark_udf_result_list_begin(call);
    udf_elem *e = NULL;
    for (size_t i = 0; i < call->elem_count; i++) {
        udf_elem *x = &call->elems[i];
        if (x->klen == key_length && memcmp(call->strings.data + x->koff, key, key_length) == 0) {
            e = x; /* keeps its first position, takes the last value */
            break;
        }
    }
    if (e == NULL) {
        if ((e = push_elem(call)) == NULL)
            return;
        e->koff = call->strings.length;
        e->klen = key_length;
        if (lds_buf_append(&call->strings, key, key_length) != 0) {
            call->failed_alloc = 1;
            return;
        }
    }
    e->is_null = value == NULL;
    e->off = call->strings.length;
    e->len = value ? value_length : 0;
    if (value != NULL && lds_buf_append(&call->strings, value, value_length) != 0)
        call->failed_alloc = 1;
}

void ld_spark_udf_result_error(ld_spark_udf_call *call, const char *format, ...)
{
    if (call == NULL || call->error != NULL)
        return;
    va_list ap;
    va_start(ap, format);
    char message[512];
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    call->error = lds_printf("UDF %s failed: %s", call->udf->name, message);
    if (call->error == NULL)
        call->failed_alloc = 1;
}

/* ---- the engine's side ---- */

static void set_invalid(duckdb_vector v, idx_t row)
{
    duckdb_vector_ensure_validity_writable(v);
    duckdb_validity_set_row_invalid(duckdb_vector_get_validity(v), row);
}

typedef struct out_state {
    duckdb_vector output;
    idx_t size, capacity;
} out_state;

static int reserve(out_state *o, idx_t more)
{
    if (o->size + more <= o->capacity)
        return 0;
    idx_t cap = o->capacity ? o->capacity : 1024;
    while (cap < o->size + more)
        cap *= 2;
    if (duckdb_list_vector_reserve(o->output, cap) == DuckDBError)
        return -1;
    o->capacity = cap;
    return 0;
}

/* Store call's result at row r of output. */
static const char *store(ld_spark_udf_call *call, out_state *o, idx_t r)
{
    duckdb_vector output = o->output;
    int kind = call->udf->return_kind;
    if (!call->has_result) {
        set_invalid(output, r);
        return NULL;
    }
    void *data = duckdb_vector_get_data(output);
    if (is_list_kind(kind)) {
        if (!call->is_list)
            return "the result was not set as a list or map";
        if (reserve(o, call->elem_count) != 0)
            return "out of memory";
        duckdb_list_entry *entries = data;
        entries[r].offset = o->size;
        entries[r].length = call->elem_count;
        duckdb_vector child = duckdb_list_vector_get_child(output);
        duckdb_vector values = child, keys = NULL;
        if (kind == LDS_KIND_MAP_VARCHAR) {
            keys = duckdb_struct_vector_get_child(child, 0);
            values = duckdb_struct_vector_get_child(child, 1);
        }
        void *vdata = duckdb_vector_get_data(values);
        for (size_t i = 0; i < call->elem_count; i++) {
            udf_elem *e = &call->elems[i];
            idx_t at = o->size + i;
            if (keys != NULL)
                duckdb_vector_assign_string_element_len(keys, at, call->strings.data + e->koff, e->klen);
            if (e->is_null) {
                set_invalid(values, at);
                continue;
            }
            uint64_t *vv = duckdb_vector_get_validity(values);
            if (vv != NULL)
                duckdb_validity_set_row_valid(vv, at);
            if (kind == LDS_KIND_LIST_BIGINT)
                ((int64_t *)vdata)[at] = e->i;
            else if (kind == LDS_KIND_LIST_DOUBLE)
                ((double *)vdata)[at] = e->d;
            else
                duckdb_vector_assign_string_element_len(values, at, call->strings.data + e->off, e->len);
        }
        o->size += call->elem_count;
        duckdb_list_vector_set_size(output, o->size);
        return NULL;
    }
    if (call->is_list)
        return "a list or map result for a scalar return type";
    switch (kind) {
    case LDS_KIND_VARCHAR:
        duckdb_vector_assign_string_element_len(output, r, call->strings.data ? call->strings.data : "",
                                                call->strings.length);
        break;
    case LDS_KIND_BIGINT:
    case LDS_KIND_TIMESTAMPTZ: ((int64_t *)data)[r] = call->i; break;
    case LDS_KIND_INTEGER:
        if (call->i < INT32_MIN || call->i > INT32_MAX)
            return "the result does not fit an INTEGER";
        ((int32_t *)data)[r] = (int32_t)call->i;
        break;
    case LDS_KIND_BOOLEAN: ((bool *)data)[r] = call->i != 0; break;
    case LDS_KIND_DOUBLE: ((double *)data)[r] = call->d; break;
    }
    return NULL;
}

static void run_udf(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output)
{
    lds_udf *udf = duckdb_scalar_function_get_extra_info(info);
    idx_t n = duckdb_data_chunk_get_size(input);
    udf_arg args_small[8];
    udf_arg *args = udf->arg_count <= 8 ? args_small : calloc(udf->arg_count, sizeof *args);
    if (args == NULL) {
        duckdb_scalar_function_set_error(info, "UDF: out of memory");
        return;
    }
    for (size_t i = 0; i < udf->arg_count; i++) {
        duckdb_vector v = duckdb_data_chunk_get_vector(input, i);
        udf_arg *a = &args[i];
        memset(a, 0, sizeof *a);
        a->kind = udf->arg_kinds[i];
        a->data = duckdb_vector_get_data(v);
        a->validity = duckdb_vector_get_validity(v);
        if (is_list_kind(a->kind)) {
            a->lists = a->data;
            duckdb_vector child = duckdb_list_vector_get_child(v);
            if (a->kind == LDS_KIND_MAP_VARCHAR) {
                duckdb_vector keys = duckdb_struct_vector_get_child(child, 0);
                duckdb_vector values = duckdb_struct_vector_get_child(child, 1);
                a->child_data = duckdb_vector_get_data(keys);
                a->child_validity = duckdb_vector_get_validity(keys);
                a->map_values = duckdb_vector_get_data(values);
                a->map_values_validity = duckdb_vector_get_validity(values);
            } else {
                a->child_data = duckdb_vector_get_data(child);
                a->child_validity = duckdb_vector_get_validity(child);
            }
        }
    }
    ld_spark_udf_call call;
    memset(&call, 0, sizeof call);
    call.udf = udf;
    call.args = args;
    call.arg_count = udf->arg_count;
    out_state o = {output, 0, 0};
    for (idx_t r = 0; r < n; r++) {
        call.row = r;
        ld_spark_udf_result_null(&call);
        int has_null = 0;
        if (!(udf->flags & LD_SPARK_UDF_CALL_ON_NULL))
            for (size_t i = 0; i < udf->arg_count && !has_null; i++)
                has_null = !valid_at(args[i].validity, r);
        if (!has_null)
            udf->fn(&call, udf->payload);
        const char *problem = NULL;
        if (call.error != NULL) {
            duckdb_scalar_function_set_error(info, call.error);
            break;
        }
        if (call.failed_alloc)
            problem = "out of memory";
        else
            problem = store(&call, &o, r);
        if (problem != NULL) {
            char message[512];
            snprintf(message, sizeof message, "UDF %s failed: %s", udf->name, problem);
            duckdb_scalar_function_set_error(info, message);
            break;
        }
    }
    free(call.error);
    free(call.elems);
    lds_buf_free(&call.strings);
    if (args != args_small)
        free(args);
}

int ld_spark_udf_register(ld_spark_session *session, const char *name,
                          const char *const *arg_types, size_t arg_count,
                          const char *return_type, int flags, ld_spark_udf_fn fn,
                          void *payload, void (*free_payload)(void *), ld_error *error)
{
    int rc = LD_OK;
    if (session == NULL || name == NULL || *name == '\0' || fn == NULL || return_type == NULL ||
        (arg_count > 0 && arg_types == NULL))
        rc = ld_error_set(error, LD_ERR_INVALID,
                          "ld_spark_udf_register: session, a name, fn and return_type are required");
    lds_udf *udf = rc == LD_OK ? calloc(1, sizeof *udf) : NULL;
    if (rc == LD_OK && udf == NULL)
        rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    if (rc != LD_OK) {
        if (free_payload != NULL)
            free_payload(payload);
        return rc;
    }
    udf->session = session;
    udf->fn = fn;
    udf->payload = payload;
    udf->free_payload = free_payload;
    udf->flags = flags;
    udf->arg_count = arg_count;
    udf->name = strdup(name);
    udf->arg_kinds = calloc(arg_count ? arg_count : 1, sizeof *udf->arg_kinds);
    if (udf->name == NULL || udf->arg_kinds == NULL)
        rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == LD_OK && i < arg_count; i++)
        if ((udf->arg_kinds[i] = kind_of(arg_types[i] ? arg_types[i] : "")) == 0)
            rc = ld_error_set(error, LD_ERR_UNSUPPORTED,
                              "UDF %s: argument %zu type '%s' is not supported (VARCHAR, BIGINT, "
                              "INTEGER, DOUBLE, BOOLEAN, TIMESTAMPTZ, VARCHAR[], BIGINT[], DOUBLE[], "
                              "MAP(VARCHAR, VARCHAR))",
                              name, i + 1, arg_types[i] ? arg_types[i] : "(null)");
    if (rc == LD_OK && (udf->return_kind = kind_of(return_type)) == 0)
        rc = ld_error_set(error, LD_ERR_UNSUPPORTED, "UDF %s: return type '%s' is not supported",
                          name, return_type);
    if (rc == LD_OK) {
        duckdb_scalar_function f = duckdb_create_scalar_function();
        duckdb_scalar_function_set_name(f, name);
        for (size_t i = 0; i < arg_count; i++) {
            duckdb_logical_type t = logical_type(udf->arg_kinds[i]);
            duckdb_scalar_function_add_parameter(f, t);
            duckdb_destroy_logical_type(&t);
        }
        duckdb_logical_type r = logical_type(udf->return_kind);
        duckdb_scalar_function_set_return_type(f, r);
        duckdb_destroy_logical_type(&r);
        duckdb_scalar_function_set_function(f, run_udf);
        duckdb_scalar_function_set_extra_info(f, udf, NULL);
        duckdb_scalar_function_set_special_handling(f);
        if (flags & LD_SPARK_UDF_VOLATILE)
            duckdb_scalar_function_set_volatile(f);
        if (duckdb_register_scalar_function(session->con, f) == DuckDBError)
            rc = ld_error_set(error, LD_ERR_INVALID,
                              "UDF %s: the name is taken (a UDF registered before, or a built-in function)", name);
        duckdb_destroy_scalar_function(&f);
    }
    if (rc != LD_OK) {
        if (free_payload != NULL)
            free_payload(payload);
        free(udf->arg_kinds);
        free(udf->name);
        free(udf);
        return rc;
    }
    udf->next = session->udfs;
    session->udfs = udf;
    return LD_OK;
}
