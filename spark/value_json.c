/*
 * value_json.c - engine values as Spark's JSON writer shows them: null fields omitted,
 * timestamps as 2023-12-12T01:40:15.000Z, doubles as Java's Double.toString, maps as
 * objects, lists as arrays, binary as base64. Shared by the json writer and row
 * iteration.
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spark_internal.h"

int lds_buf_reserve(lds_buf *b, size_t extra)
{
    if (b->capacity - b->length >= extra)
        return 0;
    size_t cap = b->capacity ? b->capacity : 256;
    while (cap - b->length < extra)
        cap *= 2;
    char *grown = realloc(b->data, cap);
    if (grown == NULL)
        return -1;
    b->data = grown;
    b->capacity = cap;
    return 0;
}

int lds_buf_append(lds_buf *b, const void *data, size_t length)
{
    if (length == 0)
        return 0; /* data may be NULL then (an empty string) */
    if (lds_buf_reserve(b, length) != 0)
        return -1;
    memcpy(b->data + b->length, data, length);
    b->length += length;
    return 0;
}

int lds_buf_putc(lds_buf *b, char c)
{
    if (b->length == b->capacity && lds_buf_reserve(b, 1) != 0)
        return -1;
    b->data[b->length++] = c;
    return 0;
}

void lds_buf_free(lds_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

int lds_json_string(lds_buf *b, const char *text, size_t length)
{
    static const char hex[] = "0123456789abcdef";
    /* Worst case \u00XX per byte, plus quotes. */
    if (lds_buf_reserve(b, length * 6 + 2) != 0)
        return -1;
    char *w = b->data + b->length;
    *w++ = '"';
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *w++ = (char)c;
            continue;
        }
        *w++ = '\\';
        switch (c) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '\n': *w++ = 'n'; break;
        case '\r': *w++ = 'r'; break;
        case '\t': *w++ = 't'; break;
        case '\b': *w++ = 'b'; break;
        case '\f': *w++ = 'f'; break;
        default:
            *w++ = 'u';
            *w++ = '0';
            *w++ = '0';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 15];
        }
    }
    *w++ = '"';
    b->length = (size_t)(w - b->data);
    return 0;
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t year = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = year + (*m <= 2);
}

int lds_format_date(lds_buf *b, int32_t days)
{
    int64_t y;
    unsigned m, d;
    civil(days, &y, &m, &d);
    char text[32];
    int n = snprintf(text, sizeof text, "%04lld-%02u-%02u", (long long)y, m, d);
    return lds_buf_append(b, text, (size_t)n);
}

int lds_format_timestamp(lds_buf *b, int64_t micros)
{
    int64_t secs = micros / 1000000, frac = micros % 1000000;
    if (frac < 0) {
        frac += 1000000;
        secs -= 1;
    }
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int64_t y;
    unsigned m, d;
    civil(days, &y, &m, &d);
    char text[48];
    int n = snprintf(text, sizeof text, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, m, d,
                     (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60),
                     (unsigned)(frac / 1000));
    return lds_buf_append(b, text, (size_t)n);
}

int lds_format_double(lds_buf *b, double value, int is_float)
{
    if (isnan(value))
        return lds_buf_append(b, "NaN", 3);
    if (isinf(value))
        return value > 0 ? lds_buf_append(b, "Infinity", 8) : lds_buf_append(b, "-Infinity", 9);
    if (value == 0)
        return signbit(value) ? lds_buf_append(b, "-0.0", 4) : lds_buf_append(b, "0.0", 3);
    /* The shortest digits that read back as the same value (Java's rule since JDK 19). */
    char sci[40];
    int max = is_float ? 9 : 17;
    for (int p = 1; p <= max; p++) {
        snprintf(sci, sizeof sci, "%.*e", p - 1, value);
        if (is_float ? (float)strtod(sci, NULL) == (float)value : strtod(sci, NULL) == value)
            break;
    }
    /* sci: [-]d[.ddd]e[+-]XX */
    char digits[24] = {0};
    size_t nd = 0;
    const char *p = sci;
    int negative = *p == '-';
    if (negative)
        p++;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    int exponent = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    char out[64];
    size_t n = 0;
    if (negative)
        out[n++] = '-';
    double magnitude = fabs(value);
    if (magnitude >= 1e-3 && magnitude < 1e7) {
        if (exponent < 0) {
            out[n++] = '0';
            out[n++] = '.';
            for (int i = -1; i > exponent; i--)
                out[n++] = '0';
            memcpy(out + n, digits, nd);
            n += nd;
        } else {
            for (int i = 0; i <= exponent; i++)
                out[n++] = (size_t)i < nd ? digits[i] : '0';
            out[n++] = '.';
            if ((size_t)exponent + 1 < nd) {
                memcpy(out + n, digits + exponent + 1, nd - (size_t)exponent - 1);
                n += nd - (size_t)exponent - 1;
            } else
                out[n++] = '0';
        }
    } else {
        out[n++] = digits[0];
        out[n++] = '.';
        if (nd > 1) {
            memcpy(out + n, digits + 1, nd - 1);
            n += nd - 1;
        } else
            out[n++] = '0';
        n += (size_t)snprintf(out + n, sizeof out - n, "E%d", exponent);
    }
    return lds_buf_append(b, out, n);
}

static int format_u128(lds_buf *b, unsigned __int128 v, int negative)
{
    char text[48];
    size_t n = sizeof text;
    do {
        text[--n] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v != 0);
    if (negative)
        text[--n] = '-';
    return lds_buf_append(b, text + n, sizeof text - n);
}

static int format_i128(lds_buf *b, __int128 v)
{
    return v < 0 ? format_u128(b, (unsigned __int128)(-(v + 1)) + 1, 1)
                 : format_u128(b, (unsigned __int128)v, 0);
}

static int format_decimal(lds_buf *b, __int128 v, unsigned scale)
{
    lds_buf digits = {0};
    int negative = v < 0;
    unsigned __int128 u = negative ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    if (format_u128(&digits, u, 0) != 0)
        return -1;
    int rc = 0;
    if (negative)
        rc |= lds_buf_putc(b, '-');
    if (scale == 0)
        rc |= lds_buf_append(b, digits.data, digits.length);
    else if (digits.length <= scale) {
        rc |= lds_buf_append(b, "0.", 2);
        for (size_t i = digits.length; i < scale; i++)
            rc |= lds_buf_putc(b, '0');
        rc |= lds_buf_append(b, digits.data, digits.length);
    } else {
        rc |= lds_buf_append(b, digits.data, digits.length - scale);
        rc |= lds_buf_putc(b, '.');
        rc |= lds_buf_append(b, digits.data + digits.length - scale, scale);
    }
    lds_buf_free(&digits);
    return rc ? -1 : 0;
}

static int base64(lds_buf *b, const unsigned char *s, size_t n)
{
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (lds_buf_reserve(b, (n + 2) / 3 * 4 + 2) != 0)
        return -1;
    char *w = b->data + b->length;
    *w++ = '"';
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        *w++ = table[v >> 18];
        *w++ = table[(v >> 12) & 63];
        *w++ = i + 1 < n ? table[(v >> 6) & 63] : '=';
        *w++ = i + 2 < n ? table[v & 63] : '=';
    }
    *w++ = '"';
    b->length = (size_t)(w - b->data);
    return 0;
}

int lds_type_is_string(duckdb_logical_type type)
{
    duckdb_type id = duckdb_get_type_id(type);
    return id == DUCKDB_TYPE_VARCHAR || id == DUCKDB_TYPE_BLOB || id == DUCKDB_TYPE_DATE ||
           id == DUCKDB_TYPE_TIMESTAMP || id == DUCKDB_TYPE_TIMESTAMP_TZ ||
           id == DUCKDB_TYPE_TIMESTAMP_S || id == DUCKDB_TYPE_TIMESTAMP_MS ||
           id == DUCKDB_TYPE_TIMESTAMP_NS || id == DUCKDB_TYPE_ENUM;
}

static int is_valid(duckdb_vector vector, idx_t row)
{
    uint64_t *validity = duckdb_vector_get_validity(vector);
    return validity == NULL || duckdb_validity_row_is_valid(validity, row);
}

static int unsupported(ld_error *error, duckdb_logical_type type)
{
    ld_error_set(error, LD_ERR_UNSUPPORTED,
                 "a column of engine type %d cannot be written as JSON; cast it in SQL "
                 "(e.g. CAST(x AS VARCHAR))",
                 (int)duckdb_get_type_id(type));
    return -1;
}

int lds_json_value(lds_buf *b, duckdb_vector vector, duckdb_logical_type type, idx_t row,
                   int omit_null_fields, ld_error *error)
{
    if (!is_valid(vector, row))
        return lds_buf_append(b, "null", 4);
    void *data = duckdb_vector_get_data(vector);
    char text[64];
    int n;
    switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN:
        return ((bool *)data)[row] ? lds_buf_append(b, "true", 4) : lds_buf_append(b, "false", 5);
    case DUCKDB_TYPE_TINYINT:
        n = snprintf(text, sizeof text, "%d", ((int8_t *)data)[row]);
        return lds_buf_append(b, text, (size_t)n);
    case DUCKDB_TYPE_SMALLINT:
        n = snprintf(text, sizeof text, "%d", ((int16_t *)data)[row]);
        return lds_buf_append(b, text, (size_t)n);
    case DUCKDB_TYPE_INTEGER:
        n = snprintf(text, sizeof text, "%d", ((int32_t *)data)[row]);
        return lds_buf_append(b, text, (size_t)n);
    case DUCKDB_TYPE_BIGINT:
        n = snprintf(text, sizeof text, "%lld", (long long)((int64_t *)data)[row]);
        return lds_buf_append(b, text, (size_t)n);
    case DUCKDB_TYPE_UTINYINT:
        n = snprintf(text, sizeof text, "%u", ((uint8_t *)data)[row]);
        return lds_buf_append(b, text, (size_t)n);
    case DUCKDB_TYPE_USMALLINT:
        n = snprintf(text, sizeof text, "%u", ((uint16_t *)data)[row]);
        return lds_buf_append(b, text, (size_t)n);
    case DUCKDB_TYPE_UINTEGER:
        n = snprintf(text, sizeof text, "%u", ((uint32_t *)data)[row]);
        return lds_buf_append(b, text, (size_t)n);
    case DUCKDB_TYPE_UBIGINT:
        n = snprintf(text, sizeof text, "%llu", (unsigned long long)((uint64_t *)data)[row]);
        return lds_buf_append(b, text, (size_t)n);
    case DUCKDB_TYPE_HUGEINT: {
        duckdb_hugeint h = ((duckdb_hugeint *)data)[row];
        return format_i128(b, (__int128)(((unsigned __int128)(uint64_t)h.upper << 64) | h.lower));
    }
    case DUCKDB_TYPE_UHUGEINT: {
        duckdb_uhugeint h = ((duckdb_uhugeint *)data)[row];
        return format_u128(b, ((unsigned __int128)h.upper << 64) | h.lower, 0);
    }
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE: {
        int is_float = duckdb_get_type_id(type) == DUCKDB_TYPE_FLOAT;
        double v = is_float ? ((float *)data)[row] : ((double *)data)[row];
        if (isnan(v) || isinf(v)) {
            /* Jackson quotes the non-finite numbers. */
            int rc = lds_buf_putc(b, '"') | lds_format_double(b, v, is_float);
            return rc | lds_buf_putc(b, '"');
        }
        return lds_format_double(b, v, is_float);
    }
    case DUCKDB_TYPE_DECIMAL: {
        unsigned scale = duckdb_decimal_scale(type);
        __int128 v;
        switch (duckdb_decimal_internal_type(type)) {
        case DUCKDB_TYPE_SMALLINT: v = ((int16_t *)data)[row]; break;
        case DUCKDB_TYPE_INTEGER: v = ((int32_t *)data)[row]; break;
        case DUCKDB_TYPE_BIGINT: v = ((int64_t *)data)[row]; break;
        default: {
            duckdb_hugeint h = ((duckdb_hugeint *)data)[row];
            v = (__int128)(((unsigned __int128)(uint64_t)h.upper << 64) | h.lower);
        }
        }
        return format_decimal(b, v, scale);
    }
    case DUCKDB_TYPE_VARCHAR: {
        duckdb_string_t *s = &((duckdb_string_t *)data)[row];
        return lds_json_string(b, duckdb_string_t_data(s), duckdb_string_t_length(*s));
    }
    case DUCKDB_TYPE_BLOB: {
        duckdb_string_t *s = &((duckdb_string_t *)data)[row];
        return base64(b, (const unsigned char *)duckdb_string_t_data(s), duckdb_string_t_length(*s));
    }
    case DUCKDB_TYPE_DATE: {
        int rc = lds_buf_putc(b, '"') | lds_format_date(b, ((int32_t *)data)[row]);
        return rc | lds_buf_putc(b, '"');
    }
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS: {
        int64_t v = ((int64_t *)data)[row];
        duckdb_type id = duckdb_get_type_id(type);
        if (id == DUCKDB_TYPE_TIMESTAMP_S)
            v *= 1000000;
        else if (id == DUCKDB_TYPE_TIMESTAMP_MS)
            v *= 1000;
        else if (id == DUCKDB_TYPE_TIMESTAMP_NS)
            v = v >= 0 ? v / 1000 : -((-v + 999) / 1000);
        int rc = lds_buf_putc(b, '"') | lds_format_timestamp(b, v);
        return rc | lds_buf_putc(b, '"');
    }
    case DUCKDB_TYPE_ENUM: {
        uint64_t index;
        switch (duckdb_enum_internal_type(type)) {
        case DUCKDB_TYPE_UTINYINT: index = ((uint8_t *)data)[row]; break;
        case DUCKDB_TYPE_USMALLINT: index = ((uint16_t *)data)[row]; break;
        default: index = ((uint32_t *)data)[row];
        }
        char *value = duckdb_enum_dictionary_value(type, index);
        int rc = value ? lds_json_string(b, value, strlen(value)) : -1;
        duckdb_free(value);
        return rc;
    }
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_MAP: {
        int is_map = duckdb_get_type_id(type) == DUCKDB_TYPE_MAP;
        duckdb_list_entry e = ((duckdb_list_entry *)data)[row];
        duckdb_vector child = duckdb_list_vector_get_child(vector);
        duckdb_logical_type child_type = duckdb_list_type_child_type(type);
        int rc = lds_buf_putc(b, is_map ? '{' : '[');
        if (!is_map) {
            for (idx_t i = 0; rc == 0 && i < e.length; i++) {
                if (i > 0)
                    rc = lds_buf_putc(b, ',');
                if (rc == 0)
                    rc = lds_json_value(b, child, child_type, e.offset + i, omit_null_fields, error);
            }
        } else {
            duckdb_vector keys = duckdb_struct_vector_get_child(child, 0);
            duckdb_vector values = duckdb_struct_vector_get_child(child, 1);
            duckdb_logical_type key_type = duckdb_struct_type_child_type(child_type, 0);
            duckdb_logical_type value_type = duckdb_struct_type_child_type(child_type, 1);
            for (idx_t i = 0; rc == 0 && i < e.length; i++) {
                if (i > 0)
                    rc = lds_buf_putc(b, ',');
                if (rc == 0 && lds_type_is_string(key_type))
                    rc = lds_json_value(b, keys, key_type, e.offset + i, omit_null_fields, error);
                else if (rc == 0) {
                    /* JSON keys are strings: quote a number key's text. */
                    lds_buf key = {0};
                    rc = lds_json_value(&key, keys, key_type, e.offset + i, omit_null_fields, error);
                    if (rc == 0)
                        rc = lds_json_string(b, key.data, key.length);
                    lds_buf_free(&key);
                }
                if (rc == 0)
                    rc = lds_buf_putc(b, ':');
                if (rc == 0)
                    rc = lds_json_value(b, values, value_type, e.offset + i, omit_null_fields, error);
            }
            duckdb_destroy_logical_type(&key_type);
            duckdb_destroy_logical_type(&value_type);
        }
        duckdb_destroy_logical_type(&child_type);
        return rc ? -1 : lds_buf_putc(b, is_map ? '}' : ']');
    }
    case DUCKDB_TYPE_ARRAY: {
        idx_t size = duckdb_array_type_array_size(type);
        duckdb_vector child = duckdb_array_vector_get_child(vector);
        duckdb_logical_type child_type = duckdb_array_type_child_type(type);
        int rc = lds_buf_putc(b, '[');
        for (idx_t i = 0; rc == 0 && i < size; i++) {
            if (i > 0)
                rc = lds_buf_putc(b, ',');
            if (rc == 0)
                rc = lds_json_value(b, child, child_type, row * size + i, omit_null_fields, error);
        }
        duckdb_destroy_logical_type(&child_type);
        return rc ? -1 : lds_buf_putc(b, ']');
    }
    case DUCKDB_TYPE_STRUCT: {
        idx_t count = duckdb_struct_type_child_count(type);
        int rc = lds_buf_putc(b, '{'), first = 1;
        for (idx_t i = 0; rc == 0 && i < count; i++) {
            duckdb_vector child = duckdb_struct_vector_get_child(vector, i);
            if (omit_null_fields && !is_valid(child, row))
                continue;
            char *name = duckdb_struct_type_child_name(type, i);
            duckdb_logical_type child_type = duckdb_struct_type_child_type(type, i);
            if (!first)
                rc = lds_buf_putc(b, ',');
            first = 0;
            if (rc == 0)
                rc = lds_json_string(b, name, strlen(name));
            if (rc == 0)
                rc = lds_buf_putc(b, ':');
            if (rc == 0)
                rc = lds_json_value(b, child, child_type, row, omit_null_fields, error);
            duckdb_destroy_logical_type(&child_type);
            duckdb_free(name);
        }
        return rc ? -1 : lds_buf_putc(b, '}');
    }
    default:
        return unsupported(error, type);
    }
}
