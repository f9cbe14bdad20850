/*
 * letsdata/spark_udf.h - C scalar functions callable from a session's SQL.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_SPARK_UDF_H
#define LETSDATA_SPARK_UDF_H

/**
 * @file letsdata/spark_udf.h
 * @brief Scalar UDFs in C: logic SQL cannot say, called once per row.
 *
 * A UDF receives its arguments and sets its result through a call object, as
 * SQLite's sqlite3_context:
 * @code
 * static void header_map(ld_spark_udf_call *call, void *payload)
 * {
 *     size_t n;
 *     const char *header = ld_spark_udf_arg_text(call, 0, &n);
 *     ld_spark_udf_result_map_begin(call);
 *     // ... for each "Key: Value" line:
 *     ld_spark_udf_result_map_put_text(call, key, key_length, value, value_length);
 * }
 * const char *args[] = {"VARCHAR"};
 * ld_spark_udf_register(s, "header_map", args, 1, "MAP(VARCHAR, VARCHAR)", 0,
 *                       header_map, NULL, NULL, &err);
 * // SQL: SELECT header_map(h)['WARC-Type'] FROM ...
 * @endcode
 *
 * Types (SQL spelling) a UDF may take and return: `VARCHAR`, `BIGINT`, `INTEGER`,
 * `DOUBLE`, `BOOLEAN`, `TIMESTAMP WITH TIME ZONE` (or `TIMESTAMPTZ`; as microseconds),
 * `VARCHAR[]`, `BIGINT[]`, `DOUBLE[]` and `MAP(VARCHAR, VARCHAR)`. Arguments of other
 * types are cast by SQL to the declared type when possible.
 *
 * The engine may call a UDF from several threads at once (one call object each):
 * @p payload must be safe to share, or be read-only.
 */

#include <stddef.h>
#include <stdint.h>

#include <letsdata/common.h>
#include <letsdata/spark_session.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One row's call (opaque); borrowed by the UDF for the duration of the call. */
typedef struct ld_spark_udf_call ld_spark_udf_call;

/** A UDF: read arguments, set a result (no result set = NULL). */
typedef void (*ld_spark_udf_fn)(ld_spark_udf_call *call, void *payload);

/** ld_spark_udf_register() flag: call the UDF for NULL arguments too (by default a
 * NULL argument makes the result NULL without a call). */
#define LD_SPARK_UDF_CALL_ON_NULL 0x1
/** ld_spark_udf_register() flag: the result may differ for the same arguments
 * (random, time); the engine then never folds or caches calls. */
#define LD_SPARK_UDF_VOLATILE 0x2

/**
 * Register @p fn as SQL function @p name in @p session. A name already taken (by a UDF
 * registered before, or a built-in function) is refused.
 *
 * @param arg_types    borrowed array of @p arg_count SQL type names (see above).
 * @param return_type  SQL type name of the result.
 * @param flags        0 or LD_SPARK_UDF_* flags.
 * @param payload      passed to every call; owned by the caller unless
 *                     @p free_payload is given, which the session calls when it is freed
 *                     (also when registration fails).
 * @return LD_OK; LD_ERR_UNSUPPORTED for a type not in the list (named);
 *         LD_ERR_INVALID for an empty name or a name already taken.
 */
LD_EXTERN int ld_spark_udf_register(ld_spark_session *session, const char *name,
                                    const char *const *arg_types, size_t arg_count,
                                    const char *return_type, int flags, ld_spark_udf_fn fn,
                                    void *payload, void (*free_payload)(void *),
                                    ld_error *error);

/* ---- Arguments (index @p i from 0). A wrong type or index reads as NULL / 0. ---- */

/** The number of arguments. */
LD_EXTERN size_t ld_spark_udf_arg_count(const ld_spark_udf_call *call);

/** 1 when argument @p i is NULL, else 0. */
LD_EXTERN int ld_spark_udf_arg_is_null(const ld_spark_udf_call *call, size_t i);

/**
 * A VARCHAR argument's bytes: borrowed for the call, *not* NUL-terminated; NULL for a
 * NULL value. @p length (optional) receives the byte length.
 */
LD_EXTERN const char *ld_spark_udf_arg_text(const ld_spark_udf_call *call, size_t i,
                                            size_t *length);

/** An integer, boolean or timestamp argument (microseconds); 0 when NULL. */
LD_EXTERN int64_t ld_spark_udf_arg_int64(const ld_spark_udf_call *call, size_t i);

/** A DOUBLE argument (integers converted); 0 when NULL. */
LD_EXTERN double ld_spark_udf_arg_double(const ld_spark_udf_call *call, size_t i);

/** The number of elements of a list argument, or of entries of a map argument (0 when NULL). */
LD_EXTERN size_t ld_spark_udf_arg_list_length(const ld_spark_udf_call *call, size_t i);

/** 1 when element @p j of list argument @p i is NULL (or out of range). */
LD_EXTERN int ld_spark_udf_arg_list_is_null(const ld_spark_udf_call *call, size_t i,
                                            size_t j);

/** Element @p j of a VARCHAR[] argument (borrowed, not NUL-terminated; NULL when NULL). */
LD_EXTERN const char *ld_spark_udf_arg_list_text(const ld_spark_udf_call *call, size_t i,
                                                 size_t j, size_t *length);

/** Element @p j of a BIGINT[] argument (0 when NULL). */
LD_EXTERN int64_t ld_spark_udf_arg_list_int64(const ld_spark_udf_call *call, size_t i,
                                              size_t j);

/** Element @p j of a DOUBLE[] argument (0 when NULL). */
LD_EXTERN double ld_spark_udf_arg_list_double(const ld_spark_udf_call *call, size_t i,
                                              size_t j);

/** Key of entry @p j of a MAP(VARCHAR, VARCHAR) argument (borrowed, not NUL-terminated). */
LD_EXTERN const char *ld_spark_udf_arg_map_key(const ld_spark_udf_call *call, size_t i,
                                               size_t j, size_t *length);

/** Value of entry @p j of a MAP(VARCHAR, VARCHAR) argument (NULL when NULL). */
LD_EXTERN const char *ld_spark_udf_arg_map_value(const ld_spark_udf_call *call, size_t i,
                                                 size_t j, size_t *length);

/* ---- The result. Setting it again replaces it. ---- */

/** Result NULL (also the result when the UDF sets none). */
LD_EXTERN void ld_spark_udf_result_null(ld_spark_udf_call *call);

/** Result text for a VARCHAR UDF (copied; @p length bytes, may contain NUL). */
LD_EXTERN void ld_spark_udf_result_text(ld_spark_udf_call *call, const char *text,
                                        size_t length);

/** Result for a BIGINT, INTEGER (range-checked), BOOLEAN (0/1) or timestamp UDF (µs). */
LD_EXTERN void ld_spark_udf_result_int64(ld_spark_udf_call *call, int64_t value);

/** Result for a DOUBLE UDF. */
LD_EXTERN void ld_spark_udf_result_double(ld_spark_udf_call *call, double value);

/** Start a list or map result: empty until elements are added. */
LD_EXTERN void ld_spark_udf_result_list_begin(ld_spark_udf_call *call);

/** Append to a VARCHAR[] result (copied; @p text NULL appends NULL). */
LD_EXTERN void ld_spark_udf_result_list_append_text(ld_spark_udf_call *call,
                                                    const char *text, size_t length);

/** Append to a BIGINT[] result. */
LD_EXTERN void ld_spark_udf_result_list_append_int64(ld_spark_udf_call *call, int64_t value);

/** Append to a DOUBLE[] result. */
LD_EXTERN void ld_spark_udf_result_list_append_double(ld_spark_udf_call *call, double value);

/** Start a map result (= ld_spark_udf_result_list_begin()). */
LD_EXTERN void ld_spark_udf_result_map_begin(ld_spark_udf_call *call);

/**
 * Put an entry into a MAP(VARCHAR, VARCHAR) result (both copied; @p value NULL puts a
 * NULL value). A key put again keeps its last value, in its first position (Spark's
 * map semantics for a UDF's dict).
 */
LD_EXTERN void ld_spark_udf_result_map_put_text(ld_spark_udf_call *call, const char *key,
                                                size_t key_length, const char *value,
                                                size_t value_length);

/**
 * Fail the whole query: the statement's error names the UDF and this printf-style
 * message. Nothing is written for a failed write (no `_SUCCESS`).
 */
LD_EXTERN void ld_spark_udf_result_error(ld_spark_udf_call *call, const char *format, ...)
    LD_PRINTF(2, 3);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_SPARK_UDF_H */
