/*
 * json_parse.c - a fast JSON parser that builds jansson values (letsdata/json.h).
 *
 * Why not json_loadb(): requests are mostly long UTF-8 strings and arrays of reals.
 * jansson reads its input one byte at a time through a stream abstraction, copies
 * every string and number into a scratch buffer and converts reals with strtod. This
 * parser works on the buffer in place: string runs without escapes go straight into
 * json_stringn_nocheck() after a word-at-a-time ASCII check (full UTF-8 validation for
 * the rest), and reals of up to 19 significant digits are converted exactly with one
 * 80-bit long double operation when that provably rounds correctly (strtod otherwise).
 * It accepts and rejects exactly what json_loadb(JSON_DECODE_ANY | JSON_ALLOW_NUL) does.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/json.h>

#include "utf8.h"

#define MAX_DEPTH 2048

typedef struct parser {
    const unsigned char *start, *p, *end;
    ld_error *error;
    int failed;
    char *scratch; /* unescaped strings */
    size_t scratch_size;
} parser;

static json_t *fail(parser *ps, int code, const char *what)
{
    if (!ps->failed) {
        ps->failed = 1;
        ld_error_set(ps->error, code, "%s at byte %zu", what, (size_t)(ps->p - ps->start));
    }
    return NULL;
}

static void skip_space(parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

/* ---- strings ---- */

static int hex4(const unsigned char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
        else return -1;
    }
    *out = v;
    return 0;
}

static size_t encode_utf8(unsigned cp, char *out)
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * Parse the string starting after its opening quote. On success, text and length give its
 * bytes: in the input when it had no escapes, else in ps->scratch.
 */
static int parse_string_bytes(parser *ps, const char **text, size_t *length)
{
    const unsigned char *s = ps->p, *end = ps->end;
    /* Fast path: find the closing quote while checking the bytes in between. */
    const unsigned char *q = s;
    for (;;) {
        /* 8 bytes at a time while all are printable ASCII other than '"' and '\\'. */
        while (end - q >= 8) {
            uint64_t w;
            memcpy(&w, q, 8);
            uint64_t high = w & 0x8080808080808080ULL;
            uint64_t control = (w - 0x2020202020202020ULL) & ~w & 0x8080808080808080ULL;
            uint64_t x = w ^ 0x2222222222222222ULL; /* '"' */
            uint64_t quote = (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
            uint64_t y = w ^ 0x5C5C5C5C5C5C5C5CULL; /* '\\' */
            uint64_t backslash = (y - 0x0101010101010101ULL) & ~y & 0x8080808080808080ULL;
            if (high | control | quote | backslash)
                break;
            q += 8;
        }
        if (q >= end) {
            ps->p = q;
            fail(ps, LD_ERR_INVALID, "unterminated string");
            return -1;
        }
        unsigned char c = *q;
        if (c == '"') {
            *text = (const char *)s;
            *length = (size_t)(q - s);
            ps->p = q + 1;
            return 0;
        }
        if (c == '\\')
            break;
        if (c < 0x20) {
            ps->p = q;
            fail(ps, LD_ERR_INVALID, "control character in a string");
            return -1;
        }
        if (c >= 0x80) {
            size_t n = ldi_utf8_sequence_length(q, (size_t)(end - q));
            if (n == 0) {
                ps->p = q;
                fail(ps, LD_ERR_INVALID, "invalid UTF-8 in a string");
                return -1;
            }
            q += n;
        } else {
            q++;
        }
    }

    /* Slow path: the string has escapes. Unescaped it is never longer. */
    size_t need = (size_t)(end - s) + 1;
    if (need > ps->scratch_size) {
        char *grown = realloc(ps->scratch, need);
        if (grown == NULL) {
            fail(ps, LD_ERR_NOMEM, "out of memory");
            return -1;
        }
        ps->scratch = grown;
        ps->scratch_size = need;
    }
    size_t used = (size_t)(q - s);
    memcpy(ps->scratch, s, used);
    while (q < end) {
        unsigned char c = *q;
        if (c == '"') {
            *text = ps->scratch;
            *length = used;
            ps->p = q + 1;
            return 0;
        }
        if (c < 0x20) {
            ps->p = q;
            fail(ps, LD_ERR_INVALID, "control character in a string");
            return -1;
        }
        if (c >= 0x80) {
            size_t n = ldi_utf8_sequence_length(q, (size_t)(end - q));
            if (n == 0) {
                ps->p = q;
                fail(ps, LD_ERR_INVALID, "invalid UTF-8 in a string");
                return -1;
            }
            memcpy(ps->scratch + used, q, n);
            used += n;
            q += n;
            continue;
        }
        if (c != '\\') {
            ps->scratch[used++] = (char)c;
            q++;
            continue;
        }
        if (end - q < 2)
            break;
        unsigned char e = q[1];
        q += 2;
        switch (e) {
        case '"': ps->scratch[used++] = '"'; break;
        case '\\': ps->scratch[used++] = '\\'; break;
        case '/': ps->scratch[used++] = '/'; break;
        case 'b': ps->scratch[used++] = '\b'; break;
        case 'f': ps->scratch[used++] = '\f'; break;
        case 'n': ps->scratch[used++] = '\n'; break;
        case 'r': ps->scratch[used++] = '\r'; break;
        case 't': ps->scratch[used++] = '\t'; break;
        case 'u': {
            unsigned cp;
            if (end - q < 4 || hex4(q, &cp) != 0) {
                ps->p = q;
                fail(ps, LD_ERR_INVALID, "invalid \\u escape");
                return -1;
            }
            q += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned low;
                if (end - q < 6 || q[0] != '\\' || q[1] != 'u' || hex4(q + 2, &low) != 0 ||
                    low < 0xDC00 || low > 0xDFFF) {
                    ps->p = q;
                    fail(ps, LD_ERR_INVALID, "invalid Unicode surrogate pair");
                    return -1;
                }
                q += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                ps->p = q;
                fail(ps, LD_ERR_INVALID, "lone Unicode low surrogate");
                return -1;
            }
            used += encode_utf8(cp, ps->scratch + used);
            break;
        }
        default:
            ps->p = q - 1;
            fail(ps, LD_ERR_INVALID, "invalid escape in a string");
            return -1;
        }
    }
    ps->p = end;
    fail(ps, LD_ERR_INVALID, "unterminated string");
    return -1;
}

static json_t *parse_string(parser *ps)
{
    const char *text;
    size_t length;
    ps->p++; /* the quote */
    if (parse_string_bytes(ps, &text, &length) != 0)
        return NULL;
    json_t *value = json_stringn_nocheck(text, length);
    return value != NULL ? value : fail(ps, LD_ERR_NOMEM, "out of memory");
}

/* ---- numbers ---- */

static const long double exact_powers[] = {
    1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
    1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
    1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L,
};

/*
 * digits * 10^exponent, correctly rounded to double, when one long double operation
 * decides it: digits < 2^64 and 10^|exponent| are exact in the 64-bit mantissa, the one
 * rounding of the operation is at most half a unit of the 64-bit result, so the
 * conversion to double (53 bits) can only go wrong when the 11 dropped bits are within
 * one unit of a tie. Returns 0 and sets *out, or -1 when strtod must decide.
 */
#if LDBL_MANT_DIG == 64 && (defined(__x86_64__) || defined(__i386__))
/*
 * Whether long double arithmetic really keeps 64 mantissa bits here. It does on x86
 * hardware, but not under emulators such as valgrind, which compute it as double: then
 * the fast path would round wrongly, so it is switched off. 0 unknown, 1 yes, -1 no.
 */
static int extended_precision_works(void)
{
    static _Atomic int known;
    int state = known;
    if (state == 0) {
        volatile long double one = 1.0L, tiny = 0x1p-63L;
        state = (one + tiny) != one ? 1 : -1;
        known = state;
    }
    return state > 0;
}
#endif

static int fast_real(uint64_t digits, int exponent, int negative, double *out)
{
#if LDBL_MANT_DIG == 64 && (defined(__x86_64__) || defined(__i386__))
    if (exponent < -27 || exponent > 27 || !extended_precision_works())
        return -1;
    long double value = (long double)digits;
    value = exponent < 0 ? value / exact_powers[-exponent] : value * exact_powers[exponent];
    if (value != 0) {
        if (value < (long double)DBL_MIN || value > (long double)DBL_MAX)
            return -1;
        int e;
        long double m = frexpl(value, &e); /* m in [0.5, 1) */
        uint64_t bits = (uint64_t)ldexpl(m, 64);
        unsigned dropped = (unsigned)(bits & 0x7FF);
        if (dropped >= 0x3FF && dropped <= 0x401)
            return -1;
    }
    double d = (double)value;
    *out = negative ? -d : d;
    return 0;
#else
    (void)digits;
    (void)exponent;
    (void)negative;
    (void)out;
    return -1;
#endif
}

static json_t *parse_number(parser *ps)
{
    const unsigned char *s = ps->p, *end = ps->end, *q = s;
    int negative = 0;
    if (q < end && *q == '-') {
        negative = 1;
        q++;
    }
    if (q >= end || *q < '0' || *q > '9') {
        ps->p = q;
        return fail(ps, LD_ERR_INVALID, "invalid number");
    }
    uint64_t digits = 0;
    int significant = 0, dropped_exponent = 0;
    if (*q == '0') {
        q++;
        if (q < end && *q >= '0' && *q <= '9') {
            ps->p = q;
            return fail(ps, LD_ERR_INVALID, "invalid number (leading zero)");
        }
    } else {
        while (q < end && *q >= '0' && *q <= '9') {
            if (significant < 19) {
                digits = digits * 10 + (uint64_t)(*q - '0');
                if (digits)
                    significant++;
            } else {
                dropped_exponent++;
            }
            q++;
        }
    }
    int is_real = 0, exponent = 0, exact = 1;
    if (dropped_exponent)
        exact = 0;
    if (q < end && *q == '.') {
        is_real = 1;
        q++;
        if (q >= end || *q < '0' || *q > '9') {
            ps->p = q;
            return fail(ps, LD_ERR_INVALID, "invalid number (no digit after '.')");
        }
        while (q < end && *q >= '0' && *q <= '9') {
            if (significant < 19) {
                digits = digits * 10 + (uint64_t)(*q - '0');
                if (digits)
                    significant++;
                exponent--;
            } else if (*q != '0') {
                exact = 0;
            }
            q++;
        }
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        is_real = 1;
        q++;
        int exp_negative = 0;
        if (q < end && (*q == '+' || *q == '-'))
            exp_negative = *q++ == '-';
        if (q >= end || *q < '0' || *q > '9') {
            ps->p = q;
            return fail(ps, LD_ERR_INVALID, "invalid number (no digit in the exponent)");
        }
        int e = 0;
        while (q < end && *q >= '0' && *q <= '9') {
            if (e < 100000)
                e = e * 10 + (*q - '0');
            q++;
        }
        exponent += exp_negative ? -e : e;
    }
    ps->p = q;
    size_t length = (size_t)(q - s);

    if (!is_real) {
        if (exact && (digits <= (uint64_t)INT64_MAX || (negative && digits == (uint64_t)INT64_MAX + 1))) {
            int64_t v = negative ? (int64_t)(0 - digits) : (int64_t)digits;
            json_t *value = json_integer((json_int_t)v);
            return value != NULL ? value : fail(ps, LD_ERR_NOMEM, "out of memory");
        }
        ps->p = s;
        return fail(ps, LD_ERR_INVALID, "too big integer");
    }
    double real;
    if (!exact || fast_real(digits, exponent + dropped_exponent, negative, &real) != 0) {
        char buffer[128], *copy = buffer;
        if (length >= sizeof buffer && (copy = malloc(length + 1)) == NULL)
            return fail(ps, LD_ERR_NOMEM, "out of memory");
        memcpy(copy, s, length);
        copy[length] = '\0';
        errno = 0;
        real = strtod(copy, NULL);
        int overflow = errno == ERANGE && (real == HUGE_VAL || real == -HUGE_VAL);
        if (copy != buffer)
            free(copy);
        if (overflow) {
            ps->p = s;
            return fail(ps, LD_ERR_INVALID, "real number overflow");
        }
    }
    json_t *value = json_real(real);
    return value != NULL ? value : fail(ps, LD_ERR_NOMEM, "out of memory");
}

/* ---- values ---- */

static json_t *parse_value(parser *ps, int depth);

static int expect_literal(parser *ps, const char *word, size_t n)
{
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) {
        fail(ps, LD_ERR_INVALID, "invalid token");
        return -1;
    }
    ps->p += n;
    return 0;
}

static json_t *parse_object(parser *ps, int depth)
{
    json_t *object = json_object();
    if (object == NULL)
        return fail(ps, LD_ERR_NOMEM, "out of memory");
    ps->p++; /* '{' */
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return object;
    }
    for (;;) {
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != '"') {
            json_decref(object);
            return fail(ps, LD_ERR_INVALID, "string or '}' expected");
        }
        ps->p++;
        const char *key_text;
        size_t key_length;
        if (parse_string_bytes(ps, &key_text, &key_length) != 0) {
            json_decref(object);
            return NULL;
        }
        if (memchr(key_text, '\0', key_length) != NULL) {
            json_decref(object);
            return fail(ps, LD_ERR_INVALID, "NUL byte in object key not supported");
        }
        /* The key may live in the scratch buffer, which parsing the value reuses. */
        char key_buffer[256], *key = key_buffer;
        if (key_length >= sizeof key_buffer && (key = malloc(key_length + 1)) == NULL) {
            json_decref(object);
            return fail(ps, LD_ERR_NOMEM, "out of memory");
        }
        memcpy(key, key_text, key_length);
        key[key_length] = '\0';
        skip_space(ps);
        json_t *value = NULL;
        if (ps->p >= ps->end || *ps->p != ':')
            fail(ps, LD_ERR_INVALID, "':' expected");
        else {
            ps->p++;
            value = parse_value(ps, depth);
        }
        int rc = value != NULL ? json_object_setn_new_nocheck(object, key, key_length, value) : -1;
        if (key != key_buffer)
            free(key);
        if (rc != 0) {
            json_decref(object);
            return value != NULL ? fail(ps, LD_ERR_NOMEM, "out of memory") : NULL;
        }
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return object;
        }
        json_decref(object);
        return fail(ps, LD_ERR_INVALID, "',' or '}' expected");
    }
}

static json_t *parse_array(parser *ps, int depth)
{
    json_t *array = json_array();
    if (array == NULL)
        return fail(ps, LD_ERR_NOMEM, "out of memory");
    ps->p++; /* '[' */
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return array;
    }
    for (;;) {
        json_t *value = parse_value(ps, depth);
        if (value == NULL || json_array_append_new(array, value) != 0) {
            json_decref(array);
            return value != NULL ? fail(ps, LD_ERR_NOMEM, "out of memory") : NULL;
        }
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return array;
        }
        json_decref(array);
        return fail(ps, LD_ERR_INVALID, "',' or ']' expected");
    }
}

static json_t *parse_value(parser *ps, int depth)
{
    skip_space(ps);
    if (ps->p >= ps->end)
        return fail(ps, LD_ERR_INVALID, "unexpected end of input");
    switch (*ps->p) {
    case '{':
    case '[':
        if (depth >= MAX_DEPTH)
            return fail(ps, LD_ERR_INVALID, "maximum nesting depth exceeded");
        return *ps->p == '{' ? parse_object(ps, depth + 1) : parse_array(ps, depth + 1);
    case '"':
        return parse_string(ps);
    case 't':
        return expect_literal(ps, "true", 4) == 0 ? json_true() : NULL;
    case 'f':
        return expect_literal(ps, "false", 5) == 0 ? json_false() : NULL;
    case 'n':
        return expect_literal(ps, "null", 4) == 0 ? json_null() : NULL;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return parse_number(ps);
        return fail(ps, LD_ERR_INVALID, "invalid token");
    }
}

LD_EXTERN json_t *ld_json_parse(const char *text, size_t length, ld_error *error)
{
    if (text == NULL) {
        ld_error_set(error, LD_ERR_INVALID, "no JSON text");
        return NULL;
    }
    parser ps = {(const unsigned char *)text, (const unsigned char *)text,
                 (const unsigned char *)text + length, error, 0, NULL, 0};
    json_t *value = parse_value(&ps, 0);
    if (value != NULL) {
        skip_space(&ps);
        if (ps.p != ps.end) {
            json_decref(value);
            value = fail(&ps, LD_ERR_INVALID, "end of input expected after the JSON value");
        }
    }
    free(ps.scratch);
    return value;
}
