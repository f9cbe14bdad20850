/*
 * functions.c - the spark_* SQL functions every session has: C implementations of
 * Spark behaviour where DuckDB's built-ins differ (see letsdata/spark_session.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spark_internal.h"

/* ---- helpers over flat vectors ---- */

static inline int row_valid(uint64_t *validity, idx_t row)
{
    return validity == NULL || duckdb_validity_row_is_valid(validity, row);
}

static inline void set_null(duckdb_vector output, idx_t row)
{
    duckdb_vector_ensure_validity_writable(output);
    duckdb_validity_set_row_invalid(duckdb_vector_get_validity(output), row);
}

static inline const char *str_at(duckdb_string_t *data, idx_t row, size_t *length)
{
    *length = duckdb_string_t_length(data[row]);
    return duckdb_string_t_data(&data[row]);
}

/* ---- spark_trim: regexp_replace(s, "^\s+|\s+$", "") in Java ---- */

static inline int java_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
}

/* Length of a final line terminator that \s does not match (U+0085, U+2028, U+2029). */
static size_t final_terminator(const unsigned char *s, size_t n)
{
    if (n >= 2 && s[n - 2] == 0xC2 && s[n - 1] == 0x85)
        return 2;
    if (n >= 3 && s[n - 3] == 0xE2 && s[n - 2] == 0x80 && (s[n - 1] == 0xA8 || s[n - 1] == 0xA9))
        return 3;
    return 0;
}

static void spark_trim(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output)
{
    (void)info;
    idx_t n = duckdb_data_chunk_get_size(input);
    duckdb_vector in = duckdb_data_chunk_get_vector(input, 0);
    duckdb_string_t *data = duckdb_vector_get_data(in);
    uint64_t *validity = duckdb_vector_get_validity(in);
    lds_buf joined = {0};
    for (idx_t r = 0; r < n; r++) {
        if (!row_valid(validity, r)) {
            set_null(output, r);
            continue;
        }
        size_t length;
        const unsigned char *s = (const unsigned char *)str_at(data, r, &length);
        size_t start = 0, end = length;
        while (start < end && java_space(s[start]))
            start++;
        if (end > start && java_space(s[end - 1])) {
            while (end > start && java_space(s[end - 1]))
                end--;
            duckdb_vector_assign_string_element_len(output, r, (const char *)s + start, end - start);
            continue;
        }
        size_t t = final_terminator(s + start, end - start);
        if (t == 0) {
            duckdb_vector_assign_string_element_len(output, r, (const char *)s + start, end - start);
            continue;
        }
        /* Java's $ also matches before a final line terminator: drop the spaces there. */
        size_t cut = end - t;
        while (cut > start && java_space(s[cut - 1]))
            cut--;
        joined.length = 0;
        if (lds_buf_append(&joined, s + start, cut - start) != 0 ||
            lds_buf_append(&joined, s + end - t, t) != 0) {
            duckdb_scalar_function_set_error(info, "spark_trim: out of memory");
            break;
        }
        duckdb_vector_assign_string_element_len(output, r, joined.data, joined.length);
    }
    lds_buf_free(&joined);
}

/* ---- spark_cast_int / spark_cast_bigint: Spark's UTF8String.toInt/toLong ---- */

/* Spark's trimAll: bytes up to 0x20 and 0x7F (Java whitespace or ISO control). */
static inline int trim_all_byte(unsigned char c)
{
    return c <= 0x20 || c == 0x7F;
}

static int parse_spark_long(const char *text, size_t n, int64_t min, int64_t max, int64_t *out)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t start = 0, end = n;
    while (start < end && trim_all_byte(s[start]))
        start++;
    while (end > start && trim_all_byte(s[end - 1]))
        end--;
    if (start == end)
        return 0;
    size_t i = start;
    int negative = s[i] == '-';
    if (negative || s[i] == '+') {
        i++;
        if (end - start == 1)
            return 0;
    }
    /* Accumulate negatively, as Spark does, so that the minimum value parses. */
    int64_t result = 0, stop = min / 10;
    for (; i < end; i++) {
        unsigned char c = s[i];
        if (c == '.') {
            i++;
            break;
        }
        if (c < '0' || c > '9')
            return 0;
        if (result < stop)
            return 0;
        result = result * 10 - (c - '0');
        if (result < min || result > 0)
            return 0;
    }
    /* A fraction is truncated, but must be digits. */
    for (; i < end; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    if (!negative) {
        if (result < -max)
            return 0;
        result = -result;
    }
    *out = result;
    return 1;
}

static void cast_integer(duckdb_data_chunk input, duckdb_vector output, int wide)
{
    idx_t n = duckdb_data_chunk_get_size(input);
    duckdb_vector in = duckdb_data_chunk_get_vector(input, 0);
    duckdb_string_t *data = duckdb_vector_get_data(in);
    uint64_t *validity = duckdb_vector_get_validity(in);
    void *out = duckdb_vector_get_data(output);
    for (idx_t r = 0; r < n; r++) {
        size_t length;
        int64_t v;
        if (!row_valid(validity, r) ||
            !parse_spark_long(str_at(data, r, &length), duckdb_string_t_length(data[r]),
                              wide ? INT64_MIN : INT32_MIN, wide ? INT64_MAX : INT32_MAX, &v)) {
            set_null(output, r);
            continue;
        }
        if (wide)
            ((int64_t *)out)[r] = v;
        else
            ((int32_t *)out)[r] = (int32_t)v;
    }
}

static void spark_cast_int(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output)
{
    (void)info;
    cast_integer(input, output, 0);
}

static void spark_cast_bigint(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output)
{
    (void)info;
    cast_integer(input, output, 1);
}

/* ---- list output helpers ---- */

typedef struct list_out {
    duckdb_vector output;
    duckdb_vector child;
    idx_t size, capacity;
} list_out;

static int list_reserve(list_out *l, idx_t more)
{
    if (l->size + more <= l->capacity)
        return 0;
    idx_t cap = l->capacity ? l->capacity : 1024;
    while (cap < l->size + more)
        cap *= 2;
    if (duckdb_list_vector_reserve(l->output, cap) == DuckDBError)
        return -1;
    l->capacity = cap;
    l->child = duckdb_list_vector_get_child(l->output);
    return 0;
}

/* ---- spark_split_any(s, [d1, d2, ...]) ---- */

static void spark_split_any(duckdb_function_info info, duckdb_data_chunk input,
                            duckdb_vector output)
{
    idx_t n = duckdb_data_chunk_get_size(input);
    duckdb_vector in = duckdb_data_chunk_get_vector(input, 0);
    duckdb_vector delims = duckdb_data_chunk_get_vector(input, 1);
    duckdb_string_t *data = duckdb_vector_get_data(in);
    uint64_t *validity = duckdb_vector_get_validity(in);
    duckdb_list_entry *dl = duckdb_vector_get_data(delims);
    uint64_t *dvalid = duckdb_vector_get_validity(delims);
    duckdb_vector dchild = duckdb_list_vector_get_child(delims);
    duckdb_string_t *dstr = duckdb_vector_get_data(dchild);
    uint64_t *dchild_valid = duckdb_vector_get_validity(dchild);
    duckdb_list_entry *entries = duckdb_vector_get_data(output);
    list_out l = {output, NULL, 0, 0};
    size_t next[16];
    for (idx_t r = 0; r < n; r++) {
        if (!row_valid(validity, r) || !row_valid(dvalid, r)) {
            set_null(output, r);
            continue;
        }
        size_t length;
        const char *s = str_at(data, r, &length);
        idx_t dcount = dl[r].length;
        if (dcount > 16) {
            duckdb_scalar_function_set_error(info, "spark_split_any: at most 16 delimiters");
            return;
        }
        const char *dp[16];
        size_t dn[16];
        for (idx_t d = 0; d < dcount; d++) {
            idx_t at = dl[r].offset + d;
            dn[d] = row_valid(dchild_valid, at) ? duckdb_string_t_length(dstr[at]) : 0;
            dp[d] = dn[d] ? duckdb_string_t_data(&dstr[at]) : NULL;
            next[d] = 0; /* not searched yet: searched lazily below */
        }
        size_t searched_from[16];
        for (idx_t d = 0; d < dcount; d++)
            searched_from[d] = (size_t)-1;
        entries[r].offset = l.size;
        size_t pos = 0;
        for (;;) {
            size_t best = length, best_len = 0;
            for (idx_t d = 0; d < dcount; d++) {
                if (dn[d] == 0)
                    continue;
                /* The cached match is reused while it lies at or after pos. */
                if (searched_from[d] == (size_t)-1 || (next[d] != length && next[d] < pos) ||
                    (next[d] == length && searched_from[d] > pos)) {
                    const char *m = memmem(s + pos, length - pos, dp[d], dn[d]);
                    next[d] = m ? (size_t)(m - s) : length;
                    searched_from[d] = pos;
                }
                if (next[d] < best) {
                    best = next[d];
                    best_len = dn[d];
                }
            }
            if (list_reserve(&l, 1) != 0) {
                duckdb_scalar_function_set_error(info, "spark_split_any: out of memory");
                return;
            }
            duckdb_vector_assign_string_element_len(l.child, l.size++, s + pos, best - pos);
            if (best == length)
                break;
            pos = best + best_len;
        }
        entries[r].length = l.size - entries[r].offset;
    }
    duckdb_list_vector_set_size(output, l.size);
}

/* ---- spark_map_from_pairs([k1, v1, k2, v2, ...]) ---- */

static void spark_map_from_pairs(duckdb_function_info info, duckdb_data_chunk input,
                                 duckdb_vector output)
{
    idx_t n = duckdb_data_chunk_get_size(input);
    duckdb_vector in = duckdb_data_chunk_get_vector(input, 0);
    duckdb_list_entry *lists = duckdb_vector_get_data(in);
    uint64_t *validity = duckdb_vector_get_validity(in);
    duckdb_vector child = duckdb_list_vector_get_child(in);
    duckdb_string_t *items = duckdb_vector_get_data(child);
    uint64_t *items_valid = duckdb_vector_get_validity(child);
    duckdb_list_entry *entries = duckdb_vector_get_data(output);
    list_out l = {output, NULL, 0, 0};
    for (idx_t r = 0; r < n; r++) {
        if (!row_valid(validity, r)) {
            set_null(output, r);
            continue;
        }
        idx_t pairs = lists[r].length / 2;
        if (list_reserve(&l, pairs) != 0) {
            duckdb_scalar_function_set_error(info, "spark_map_from_pairs: out of memory");
            return;
        }
        duckdb_vector keys = duckdb_struct_vector_get_child(l.child, 0);
        duckdb_vector values = duckdb_struct_vector_get_child(l.child, 1);
        duckdb_string_t *kdata = duckdb_vector_get_data(keys);
        entries[r].offset = l.size;
        for (idx_t p = 0; p < pairs; p++) {
            idx_t k = lists[r].offset + 2 * p, v = k + 1;
            if (!row_valid(items_valid, k)) {
                duckdb_scalar_function_set_error(info, "spark_map_from_pairs: a map key is NULL");
                return;
            }
            size_t klen;
            const char *key = str_at(items, k, &klen);
            /* A duplicate key keeps its first position and its last value. */
            idx_t slot = l.size;
            for (idx_t e = entries[r].offset; e < l.size; e++) {
                if (duckdb_string_t_length(kdata[e]) == klen &&
                    memcmp(duckdb_string_t_data(&kdata[e]), key, klen) == 0) {
                    slot = e;
                    break;
                }
            }
            if (slot == l.size) {
                duckdb_vector_assign_string_element_len(keys, slot, key, klen);
                l.size++;
            }
            if (row_valid(items_valid, v)) {
                size_t vlen;
                const char *value = str_at(items, v, &vlen);
                duckdb_vector_assign_string_element_len(values, slot, value, vlen);
                uint64_t *vv = duckdb_vector_get_validity(values);
                if (vv != NULL)
                    duckdb_validity_set_row_valid(vv, slot);
            } else
                set_null(values, slot);
        }
        entries[r].length = l.size - entries[r].offset;
    }
    duckdb_list_vector_set_size(output, l.size);
}

/* ---- lds_percentile_sorted(sorted DOUBLE[], p): Spark's Percentile.getPercentile ---- */

static void percentile_sorted(duckdb_function_info info, duckdb_data_chunk input,
                              duckdb_vector output)
{
    idx_t n = duckdb_data_chunk_get_size(input);
    duckdb_vector in = duckdb_data_chunk_get_vector(input, 0);
    duckdb_vector pv = duckdb_data_chunk_get_vector(input, 1);
    duckdb_list_entry *lists = duckdb_vector_get_data(in);
    uint64_t *validity = duckdb_vector_get_validity(in);
    double *values = duckdb_vector_get_data(duckdb_list_vector_get_child(in));
    double *ps = duckdb_vector_get_data(pv);
    uint64_t *pvalid = duckdb_vector_get_validity(pv);
    double *out = duckdb_vector_get_data(output);
    for (idx_t r = 0; r < n; r++) {
        if (!row_valid(validity, r) || !row_valid(pvalid, r) || lists[r].length == 0) {
            set_null(output, r);
            continue;
        }
        double p = ps[r];
        if (!(p >= 0.0 && p <= 1.0)) {
            char message[128];
            snprintf(message, sizeof message, "spark_percentile: percentage %g is not in [0, 1]", p);
            duckdb_scalar_function_set_error(info, message);
            return;
        }
        const double *v = values + lists[r].offset;
        double position = (double)(lists[r].length - 1) * p;
        double lower = floor(position), higher = ceil(position);
        double lo = v[(idx_t)lower], hi = v[(idx_t)higher];
        if (higher == lower || lo == hi)
            out[r] = lo;
        else
            out[r] = (higher - position) * lo + (position - lower) * hi;
    }
}

/* ---- lds_count_rows(): true, counting the rows that pass (rows read, non-text formats) ---- */

static void count_rows(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output)
{
    ld_spark_session *s = duckdb_scalar_function_get_extra_info(info);
    idx_t n = duckdb_data_chunk_get_size(input);
    bool *out = duckdb_vector_get_data(output);
    for (idx_t r = 0; r < n; r++)
        out[r] = true;
    if (n > 0)
        lds_stats_add(s, n, 0, 0, 0, 0);
}

static int add_counter(ld_spark_session *s, ld_error *error)
{
    duckdb_scalar_function f = duckdb_create_scalar_function();
    duckdb_scalar_function_set_name(f, "lds_count_rows");
    duckdb_logical_type b = duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    duckdb_scalar_function_set_return_type(f, b);
    duckdb_destroy_logical_type(&b);
    duckdb_scalar_function_set_function(f, count_rows);
    duckdb_scalar_function_set_extra_info(f, s, NULL);
    /* Volatile: evaluated for every row, never folded into a constant. */
    duckdb_scalar_function_set_volatile(f);
    duckdb_state state = duckdb_register_scalar_function(s->con, f);
    duckdb_destroy_scalar_function(&f);
    if (state == DuckDBError)
        return ld_error_set(error, LD_ERR_INTERNAL, "cannot register lds_count_rows");
    return LD_OK;
}

/* ---- registration ---- */

static duckdb_logical_type type_of(const char *spec)
{
    duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    duckdb_logical_type t;
    if (strcmp(spec, "VARCHAR") == 0)
        return varchar;
    if (strcmp(spec, "VARCHAR[]") == 0)
        t = duckdb_create_list_type(varchar);
    else if (strcmp(spec, "MAP") == 0)
        t = duckdb_create_map_type(varchar, varchar);
    else if (strcmp(spec, "DOUBLE[]") == 0) {
        duckdb_logical_type d = duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
        t = duckdb_create_list_type(d);
        duckdb_destroy_logical_type(&d);
    } else
        t = duckdb_create_logical_type(strcmp(spec, "INTEGER") == 0  ? DUCKDB_TYPE_INTEGER
                                       : strcmp(spec, "BIGINT") == 0 ? DUCKDB_TYPE_BIGINT
                                                                     : DUCKDB_TYPE_DOUBLE);
    duckdb_destroy_logical_type(&varchar);
    return t;
}

static int add(ld_spark_session *s, const char *name, duckdb_scalar_function_t fn,
               const char *result, const char *arg1, const char *arg2, ld_error *error)
{
    duckdb_scalar_function f = duckdb_create_scalar_function();
    duckdb_scalar_function_set_name(f, name);
    const char *args[2] = {arg1, arg2};
    for (int i = 0; i < 2; i++) {
        if (args[i] == NULL)
            continue;
        duckdb_logical_type t = type_of(args[i]);
        duckdb_scalar_function_add_parameter(f, t);
        duckdb_destroy_logical_type(&t);
    }
    duckdb_logical_type r = type_of(result);
    duckdb_scalar_function_set_return_type(f, r);
    duckdb_destroy_logical_type(&r);
    duckdb_scalar_function_set_function(f, fn);
    /* The functions handle NULL themselves (a NULL in gives NULL out, as Spark). */
    duckdb_scalar_function_set_special_handling(f);
    duckdb_state state = duckdb_register_scalar_function(s->con, f);
    duckdb_destroy_scalar_function(&f);
    if (state == DuckDBError)
        return ld_error_set(error, LD_ERR_INTERNAL, "cannot register SQL function %s", name);
    return LD_OK;
}

static const char *const macros =
    /* to_timestamp: DuckDB's TIMESTAMPTZ parser takes offsets and zone names, not a
       UTC/GMT suffix glued to the time; Spark takes both. */
    "CREATE OR REPLACE MACRO lds_ws_trim(s) AS "
    "trim(CAST(s AS VARCHAR), ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13));"
    /* A string with no zone is read as UTC through TIMESTAMP: a TIMESTAMPTZ cast of it
       would take the zone of an earlier row naming one (America/New_York). */
    "CREATE OR REPLACE MACRO spark_to_timestamp(s) AS CASE "
    "WHEN regexp_matches(lds_ws_trim(s), "
    "':[0-9]{2}(\\.[0-9]*)?\\s*(Z|[+-][0-9]{1,2}(:?[0-9]{2}){0,2}|[A-Za-z][A-Za-z0-9_/+-]*)$') "
    "THEN TRY_CAST(regexp_replace(lds_ws_trim(s), '([0-9])(UTC|GMT|UT)$', '\\1 UTC') AS TIMESTAMPTZ) "
    "ELSE timezone('UTC', TRY_CAST(lds_ws_trim(s) AS TIMESTAMP)) END;"
    "CREATE OR REPLACE MACRO spark_percentile(x, p) AS "
    "lds_percentile_sorted(list_sort(list(CAST(x AS DOUBLE)) FILTER (WHERE x IS NOT NULL)), "
    "CAST(p AS DOUBLE));";

int lds_functions_register(ld_spark_session *s, ld_error *error)
{
    int rc = add(s, "spark_trim", spark_trim, "VARCHAR", "VARCHAR", NULL, error);
    if (rc == LD_OK)
        rc = add(s, "spark_cast_int", spark_cast_int, "INTEGER", "VARCHAR", NULL, error);
    if (rc == LD_OK)
        rc = add(s, "spark_cast_bigint", spark_cast_bigint, "BIGINT", "VARCHAR", NULL, error);
    if (rc == LD_OK)
        rc = add(s, "spark_split_any", spark_split_any, "VARCHAR[]", "VARCHAR", "VARCHAR[]", error);
    if (rc == LD_OK)
        rc = add(s, "spark_map_from_pairs", spark_map_from_pairs, "MAP", "VARCHAR[]", NULL, error);
    if (rc == LD_OK)
        rc = add(s, "lds_percentile_sorted", percentile_sorted, "DOUBLE", "DOUBLE[]", "DOUBLE", error);
    if (rc == LD_OK)
        rc = add_counter(s, error);
    if (rc == LD_OK)
        rc = lds_exec(s, macros, error);
    return rc;
}
