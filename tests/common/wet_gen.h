/*
 * wet_gen.h - write Common Crawl WET files for tests and benchmarks: chosen records
 * (edge cases whose expected mapper rows a test states itself) and random ones (volume),
 * plain or gzip with one gzip member per record, as Common Crawl writes them.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDT_WET_GEN_H
#define LDT_WET_GEN_H

#include <stddef.h>
#include <stdint.h>

/**
 * One WARC record as written. Header fields that are NULL are left out. Headers are
 * written in this order: WARC-Type, WARC-Target-URI, WARC-Date, WARC-Record-ID,
 * WARC-Refers-To, WARC-Block-Digest, WARC-Identified-Content-Language, Content-Type,
 * Content-Length, then @c extra_headers verbatim.
 */
typedef struct ldt_wet_record {
    const char *type;            /**< WARC-Type ("warcinfo", "conversion", ...) */
    const char *target_uri;
    const char *date;            /**< WARC-Date as written */
    const char *record_id;
    const char *refers_to;
    const char *block_digest;
    const char *language;        /**< WARC-Identified-Content-Language */
    const char *content_type;
    /** Content-Length as written; NULL: the block's byte length. */
    const char *content_length;
    /** Raw header lines appended after Content-Length, each ending in "\r\n" (or NULL). */
    const char *extra_headers;
    const char *block;           /**< the record's block (payload) */
    size_t block_length;         /**< bytes of @c block; 0 with a non-NULL block: strlen */
} ldt_wet_record;

typedef struct ldt_wet_writer ldt_wet_writer;

/**
 * Create @p path. @p gzip: 0 plain, else zlib level @p gzip (1-9) with one gzip member
 * per record. @return a new writer, or NULL (errno set).
 */
ldt_wet_writer *ldt_wet_writer_open(const char *path, int gzip);

/** Append @p record ("WARC/1.0\r\n", headers, "\r\n", block, "\r\n\r\n"). 0 or -1. */
int ldt_wet_write(ldt_wet_writer *writer, const ldt_wet_record *record);

/** Bytes written so far, before compression. */
uint64_t ldt_wet_bytes(const ldt_wet_writer *writer);

/** Flush and close; frees @p writer. @return 0, or -1 when a write failed. */
int ldt_wet_writer_close(ldt_wet_writer *writer);

/** A small, fast, seedable random source (xorshift64*). */
typedef struct ldt_rng {
    uint64_t state;
} ldt_rng;

void ldt_rng_seed(ldt_rng *rng, uint64_t seed);
uint64_t ldt_rng_next(ldt_rng *rng);
/** A number in [0, n). */
uint32_t ldt_rng_below(ldt_rng *rng, uint32_t n);

/**
 * Buffers for one random record; reuse across calls (ldt_wet_random_free at the end).
 */
typedef struct ldt_wet_random {
    ldt_wet_record record;
    char uri[256], date[64], record_id[64], refers_to[64], digest[64], length[32];
    char *block;
    size_t block_capacity;
    uint64_t serial;
} ldt_wet_random;

/**
 * Fill @p out with a plausible random record: mostly "conversion" records of ~1-16 KiB
 * of text in several scripts (ASCII, Latin-1 accents, Cyrillic, CJK), LF line ends and
 * blank lines inside, ~10% without a language, some "response"/"request" types.
 * @return &out->record, or NULL when out of memory.
 */
const ldt_wet_record *ldt_wet_random_record(ldt_wet_random *out, ldt_rng *rng);
void ldt_wet_random_free(ldt_wet_random *out);

/** The warcinfo record Common Crawl files start with (for file @p file_name). */
ldt_wet_record ldt_wet_warcinfo(const char *file_name);

#endif /* LDT_WET_GEN_H */
