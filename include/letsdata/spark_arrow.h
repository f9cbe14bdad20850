/*
 * letsdata/spark_arrow.h - exchange frames through the Arrow C Data Interface.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_SPARK_ARROW_H
#define LETSDATA_SPARK_ARROW_H

/**
 * @file letsdata/spark_arrow.h
 * @brief Frames in and out as Arrow C streams (ArrowArrayStream), for interop with
 * nanoarrow, Arrow C++/GLib, Polars, ... without copying through text.
 *
 * The struct definitions below are the Arrow project's ABI (guarded by the standard
 * ARROW_C_DATA_INTERFACE / ARROW_C_STREAM_INTERFACE macros, so including another
 * Arrow header first is fine).
 */

#include <stdint.h>

#include <letsdata/common.h>
#include <letsdata/spark_frame.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

/** Arrow C Data Interface: a type. */
struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

/** Arrow C Data Interface: an array of values. */
struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

/** Arrow C Stream Interface: a schema then batches (struct arrays), pulled one by one. */
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/**
 * Run the frame's query and export its rows as an Arrow stream, one batch at a time
 * (memory stays bounded). Timestamps are exported as Arrow timestamps (µs, "UTC" for
 * TIMESTAMPTZ), VARCHAR as utf8, lists/maps/structs as Arrow's nested types.
 *
 * @param out filled in; the caller owns it and must call `out->release(out)` (which
 *            stops the query). The frame must outlive the stream. While the stream is
 *            open, the session runs no other query: starting one ends the stream (its
 *            get_next then fails). A failure while
 *            streaming is reported by get_next's errno-style result and
 *            get_last_error().
 * @return LD_OK; LD_ERR_INVALID when the query fails to start (reason named).
 */
LD_EXTERN int ld_spark_frame_to_arrow(ld_spark_frame *frame, struct ArrowArrayStream *out,
                                      ld_error *error);

/**
 * Import an Arrow stream as a frame. The stream is read to its end now and its rows
 * kept in the engine (spilling beyond the memory limit), so the frame can be used any
 * number of times.
 *
 * @param stream stolen: released (its release callback called) by this function,
 *               whatever the result. A stream exported from this same session is
 *               refused (LD_ERR_INVALID): the session cannot produce and take it at once.
 * @param out    receives a new frame.
 * @return LD_OK; LD_ERR_INVALID when the stream fails or holds a type the engine
 *         cannot take (reason named).
 */
LD_EXTERN int ld_spark_frame_from_arrow(ld_spark_session *session,
                                        struct ArrowArrayStream *stream,
                                        ld_spark_frame **out, ld_error *error);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_SPARK_ARROW_H */
