/*
 * wet_gen.c - WET files for tests and benchmarks (see wet_gen.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "wet_gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

struct ldt_wet_writer {
    FILE *file;
    int gzip;
    z_stream z;
    int failed;
    uint64_t bytes;
    char *record; /* one record assembled before writing (a gzip member each) */
    size_t record_length, record_capacity;
    unsigned char out[1 << 16];
};

ldt_wet_writer *ldt_wet_writer_open(const char *path, int gzip)
{
    ldt_wet_writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->gzip = gzip;
    w->file = fopen(path, "wb");
    if (w->file == NULL ||
        (gzip && deflateInit2(&w->z, gzip, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)) {
        int saved = errno;
        if (w->file)
            fclose(w->file);
        free(w);
        errno = saved ? saved : ENOMEM;
        return NULL;
    }
    return w;
}

static void append(ldt_wet_writer *w, const char *text, size_t length)
{
    if (w->record_length + length > w->record_capacity) {
        size_t capacity = (w->record_length + length) * 2 + 4096;
        char *grown = realloc(w->record, capacity);
        if (grown == NULL) {
            w->failed = 1;
            return;
        }
        w->record = grown;
        w->record_capacity = capacity;
    }
    memcpy(w->record + w->record_length, text, length);
    w->record_length += length;
}

static void header(ldt_wet_writer *w, const char *name, const char *value)
{
    if (value == NULL)
        return;
    append(w, name, strlen(name));
    append(w, ": ", 2);
    append(w, value, strlen(value));
    append(w, "\r\n", 2);
}

static void emit(ldt_wet_writer *w, const void *data, size_t length)
{
    if (!w->gzip) {
        if (fwrite(data, 1, length, w->file) != length)
            w->failed = 1;
        return;
    }
    /* One member per record, as Common Crawl writes WARC/WET files. */
    w->z.next_in = (unsigned char *)data;
    w->z.avail_in = (uInt)length;
    int rc;
    do {
        w->z.next_out = w->out;
        w->z.avail_out = sizeof w->out;
        rc = deflate(&w->z, Z_FINISH);
        size_t have = sizeof w->out - w->z.avail_out;
        if (have > 0 && fwrite(w->out, 1, have, w->file) != have)
            w->failed = 1;
    } while (rc == Z_OK);
    if (rc != Z_STREAM_END)
        w->failed = 1;
    deflateReset(&w->z);
}

int ldt_wet_write(ldt_wet_writer *w, const ldt_wet_record *r)
{
    size_t block_length = r->block == NULL ? 0
                          : r->block_length ? r->block_length
                                            : strlen(r->block);
    char length_text[32];
    w->record_length = 0;
    append(w, "WARC/1.0\r\n", 10);
    header(w, "WARC-Type", r->type);
    header(w, "WARC-Target-URI", r->target_uri);
    header(w, "WARC-Date", r->date);
    header(w, "WARC-Record-ID", r->record_id);
    header(w, "WARC-Refers-To", r->refers_to);
    header(w, "WARC-Block-Digest", r->block_digest);
    header(w, "WARC-Identified-Content-Language", r->language);
    header(w, "Content-Type", r->content_type);
    snprintf(length_text, sizeof length_text, "%zu", block_length);
    header(w, "Content-Length", r->content_length ? r->content_length : length_text);
    if (r->extra_headers)
        append(w, r->extra_headers, strlen(r->extra_headers));
    append(w, "\r\n", 2);
    if (block_length)
        append(w, r->block, block_length);
    append(w, "\r\n\r\n", 4);
    if (w->failed)
        return -1;
    emit(w, w->record, w->record_length);
    w->bytes += w->record_length;
    return w->failed ? -1 : 0;
}

uint64_t ldt_wet_bytes(const ldt_wet_writer *w)
{
    return w->bytes;
}

int ldt_wet_writer_close(ldt_wet_writer *w)
{
    if (w == NULL)
        return -1;
    int failed = w->failed;
    if (w->gzip)
        deflateEnd(&w->z);
    if (fclose(w->file) != 0)
        failed = 1;
    free(w->record);
    free(w);
    return failed ? -1 : 0;
}

void ldt_rng_seed(ldt_rng *rng, uint64_t seed)
{
    rng->state = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    if (rng->state == 0)
        rng->state = 1;
}

uint64_t ldt_rng_next(ldt_rng *rng)
{
    uint64_t x = rng->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng->state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

uint32_t ldt_rng_below(ldt_rng *rng, uint32_t n)
{
    return (uint32_t)((ldt_rng_next(rng) >> 32) % n);
}

/* Words in several scripts: the mapper must carry multibyte UTF-8 through untouched. */
static const char *const words[] = {
    "the", "data", "of", "and", "crawl", "web", "page", "record", "a", "to", "in", "is",
    "letsdata", "spark", "common", "text", "language", "content", "length", "for", "with",
    "café", "naïve", "über", "señor", "façade", "Ærø", "Привет", "мир", "данные", "日本語",
    "テキスト", "中文", "数据", "한국어", "العربية", "ελληνικά", "emoji😀", "🚀",
};
static const char *const languages[] = {"eng", "deu", "fra", "rus", "jpn", "zho", "eng,fra",
                                        "spa", "kor", "ara"};
static const char *const hosts[] = {"example.com", "news.example.org", "blog.example.net",
                                    "shop.example.de", "wiki.example.jp"};

static int reserve(ldt_wet_random *out, size_t needed)
{
    if (needed <= out->block_capacity)
        return 0;
    size_t capacity = needed * 2;
    char *grown = realloc(out->block, capacity);
    if (grown == NULL)
        return -1;
    out->block = grown;
    out->block_capacity = capacity;
    return 0;
}

static void random_uuid(ldt_rng *rng, char *buffer, size_t size)
{
    uint64_t a = ldt_rng_next(rng), b = ldt_rng_next(rng);
    snprintf(buffer, size, "<urn:uuid:%08x-%04x-4%03x-a%03x-%012llx>", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff, (unsigned)(b >> 52) & 0xfff,
             (unsigned long long)(b & 0xffffffffffffull));
}

const ldt_wet_record *ldt_wet_random_record(ldt_wet_random *out, ldt_rng *rng)
{
    uint32_t kind = ldt_rng_below(rng, 100);
    out->serial++;
    memset(&out->record, 0, sizeof out->record);
    ldt_wet_record *r = &out->record;
    r->type = kind < 94 ? "conversion" : kind < 97 ? "response" : "request";
    snprintf(out->uri, sizeof out->uri, "https://%s/%llu/page-%u.html",
             hosts[ldt_rng_below(rng, 5)], (unsigned long long)out->serial,
             ldt_rng_below(rng, 100000));
    r->target_uri = out->uri;
    snprintf(out->date, sizeof out->date, "2023-%02u-%02uT%02u:%02u:%02uZ",
             1 + ldt_rng_below(rng, 12), 1 + ldt_rng_below(rng, 28), ldt_rng_below(rng, 24),
             ldt_rng_below(rng, 60), ldt_rng_below(rng, 60));
    r->date = out->date;
    random_uuid(rng, out->record_id, sizeof out->record_id);
    r->record_id = out->record_id;
    random_uuid(rng, out->refers_to, sizeof out->refers_to);
    r->refers_to = out->refers_to;
    snprintf(out->digest, sizeof out->digest, "sha1:%016llX%016llX",
             (unsigned long long)ldt_rng_next(rng), (unsigned long long)ldt_rng_next(rng));
    r->block_digest = out->digest;
    r->language = ldt_rng_below(rng, 10) == 0 ? NULL : languages[ldt_rng_below(rng, 10)];
    r->content_type = "text/plain";

    /* ~1-16 KiB of text: lines of words, LF-terminated, some blank lines. */
    size_t target = 1024 + ldt_rng_below(rng, 15 * 1024);
    if (reserve(out, target + 256) != 0)
        return NULL;
    size_t n = 0;
    size_t line = 0;
    while (n < target) {
        const char *word = words[ldt_rng_below(rng, sizeof words / sizeof words[0])];
        size_t length = strlen(word);
        memcpy(out->block + n, word, length);
        n += length;
        line += length;
        if (line > 60 + ldt_rng_below(rng, 60)) {
            out->block[n++] = '\n';
            if (ldt_rng_below(rng, 8) == 0)
                out->block[n++] = '\n';
            line = 0;
        } else {
            out->block[n++] = ' ';
        }
    }
    out->block[n++] = '\n';
    r->block = out->block;
    r->block_length = n;
    return r;
}

void ldt_wet_random_free(ldt_wet_random *out)
{
    free(out->block);
    out->block = NULL;
    out->block_capacity = 0;
}

ldt_wet_record ldt_wet_warcinfo(const char *file_name)
{
    static char headers[512];
    snprintf(headers, sizeof headers, "WARC-Filename: %s\r\n", file_name);
    ldt_wet_record r = {
        .type = "warcinfo",
        .date = "2023-12-12T01:40:15Z",
        .record_id = "<urn:uuid:6082596d-524a-4e49-b1dd-86582dc01a2f>",
        .content_type = "application/warc-fields",
        .extra_headers = headers,
        .block = "Software-Info: ia-web-commons.1.1.10-SNAPSHOT-20231120101139\r\n"
                 "Extracted-Date: Tue, 12 Dec 2023 01:40:15 GMT\r\n"
                 "robots: checked via crawler-commons 1.5-SNAPSHOT\r\n"
                 "isPartOf: CC-MAIN-2023-50\r\n"
                 "operator: Common Crawl Admin (info@commoncrawl.org)\r\n"
                 "description: Wide crawl of the web for November/December 2023\r\n"
                 "publisher: Common Crawl\r\n",
    };
    return r;
}
