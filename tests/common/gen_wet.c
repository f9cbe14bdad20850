/*
 * gen_wet.c - write a Common Crawl-like WET file for the Spark tests and benchmarks.
 *
 *   gen_wet [--gzip[=LEVEL]] [--size-mb N | --records N] [--seed S] [--edge-cases] OUT
 *
 * The file starts with a warcinfo record; --edge-cases then adds the records where
 * Spark's semantics are easy to get wrong (see spark.md's DuckDB section), then random
 * records (wet_gen.c) until N MB (decompressed) or N records are written.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wet_gen.h"

#define U "<urn:uuid:00000000-0000-4000-a000-0000000000"

/* Records whose mapper rows Spark decides in ways a port can miss. Each one's comment
 * says what it checks; the differential test compares every resulting row with Spark. */
static const ldt_wet_record edge_cases[] = {
    /* A plain record with multibyte UTF-8 in the URI and text. */
    {"conversion", "https://example.com/ü/日本", "2023-12-12T01:40:15Z", U "01>", U "a1>",
     "sha1:AAAA", "deu", "text/plain", NULL, NULL, "Grüße aus Köln\nПривет 😀\n", 0},
    /* No language header. */
    {"conversion", "https://example.com/nolang", "2023-12-12T01:40:16Z", U "02>", U "a2>",
     "sha1:BBBB", NULL, "text/plain", NULL, NULL, "no language here\n", 0},
    /* Content-Length casts: not a number, spaces, a fraction, an exponent, a sign,
     * control bytes, out of int range. */
    {"conversion", "https://example.com/cl1", "2023-12-12T01:40:17Z", U "03>", NULL, NULL,
     "eng", "text/plain", "12abc", NULL, "bad length\n", 0},
    {"conversion", "https://example.com/cl2", "2023-12-12T01:40:18Z", U "04>", NULL, NULL,
     "eng", "text/plain", " 42 ", NULL, "spaced length\n", 0},
    {"conversion", "https://example.com/cl3", "2023-12-12T01:40:19Z", U "05>", NULL, NULL,
     "eng", "text/plain", "12.7", NULL, "fraction\n", 0},
    {"conversion", "https://example.com/cl4", "2023-12-12T01:40:20Z", U "06>", NULL, NULL,
     "eng", "text/plain", "1e3", NULL, "exponent\n", 0},
    {"conversion", "https://example.com/cl5", "2023-12-12T01:40:21Z", U "07>", NULL, NULL,
     "fra", "text/plain", "+15", NULL, "plus sign\n", 0},
    {"conversion", "https://example.com/cl6", "2023-12-12T01:40:22Z", U "08>", NULL, NULL,
     "fra", "text/plain", "\t7\x7f", NULL, "control bytes\n", 0},
    {"conversion", "https://example.com/cl7", "2023-12-12T01:40:23Z", U "09>", NULL, NULL,
     "fra", "text/plain", "2147483648", NULL, "too large\n", 0},
    {"conversion", "https://example.com/cl8", "2023-12-12T01:40:24Z", U "10>", NULL, NULL,
     "fra", "text/plain", "-5", NULL, "negative\n", 0},
    /* Dates: an offset, a UTC suffix, no zone, milliseconds, a date alone, garbage. */
    {"conversion", "https://example.com/d1", "2023-12-12T05:00:00+02:00", U "11>", NULL, NULL,
     "eng", "text/plain", NULL, NULL, "offset\n", 0},
    {"conversion", "https://example.com/d2", "2023-12-12T01:40:15UTC", U "12>", NULL, NULL,
     "eng", "text/plain", NULL, NULL, "utc suffix\n", 0},
    {"conversion", "https://example.com/d3", "2023-12-12T01:40:15", U "13>", NULL, NULL,
     "eng", "text/plain", NULL, NULL, "no zone\n", 0},
    {"conversion", "https://example.com/d4", "2023-12-12T01:40:15.123Z", U "14>", NULL, NULL,
     "eng", "text/plain", NULL, NULL, "millis\n", 0},
    {"conversion", "https://example.com/d5", "2023-12-12", U "15>", NULL, NULL, "eng",
     "text/plain", NULL, NULL, "date only\n", 0},
    {"conversion", "https://example.com/d6", "yesterday", U "16>", NULL, NULL, "eng",
     "text/plain", NULL, NULL, "not a date\n", 0},
    /* Payloads: a blank line (LF), a CRLF blank line (Spark keeps piece 1 only),
     * trailing white space of every kind, none at all. */
    {"conversion", "https://example.com/p1", "2023-12-12T01:40:25Z", U "17>", NULL, NULL,
     "eng", "text/plain", NULL, NULL, "first paragraph\n\nsecond paragraph\n", 0},
    {"conversion", "https://example.com/p2", "2023-12-12T01:40:26Z", U "18>", NULL, NULL,
     "eng", "text/plain", NULL, NULL, "kept part\r\n\r\ndropped part\n", 0},
    {"conversion", "https://example.com/p3", "2023-12-12T01:40:27Z", U "19>", NULL, NULL,
     "eng", "text/plain", NULL, NULL, "trailing \t\x0b\x0c \n", 0},
    {"conversion", "https://example.com/p4", "2023-12-12T01:40:28Z", U "20>", NULL, NULL,
     "eng", "text/plain", "0", NULL, NULL, 0},
    /* Java's $ before a final line terminator (U+2028, U+0085). */
    {"conversion", "https://example.com/p5", "2023-12-12T01:40:29Z", U "21>", NULL, NULL,
     "eng", "text/plain", NULL, NULL, "line sep \xe2\x80\xa8\n", 0},
    {"conversion", "https://example.com/p6", "2023-12-12T01:40:30Z", U "22>", NULL, NULL,
     "eng", "text/plain", NULL, NULL, "next line \xc2\x85\n", 0},
    /* Invalid UTF-8 (Spark's text reader substitutes U+FFFD). */
    {"conversion", "https://example.com/p7", "2023-12-12T01:40:31Z", U "23>", NULL, NULL,
     "eng", "text/plain", NULL, NULL, "bad \xff\xfe bytes \xc3\n", 0},
    /* Headers: a duplicate key (last wins), a line without ": ", a value with ": ". */
    {"conversion", "https://example.com/h1", "2023-12-12T01:40:32Z", U "24>", NULL, NULL,
     "eng", "text/plain", NULL, "WARC-Identified-Content-Language: jpn\r\n", "dup\n", 0},
    {"conversion", "https://example.com/h2", "2023-12-12T01:40:33Z", U "25>", NULL, NULL,
     "eng", "text/plain", NULL, "X-No-Colon-Header\r\n", "odd header\n", 0},
    {"conversion", "https://example.com/h3: colon", "2023-12-12T01:40:34Z", U "26>", NULL,
     NULL, "eng", "text/plain", NULL, NULL, "colon in value\n", 0},
    /* Other record types are filtered out. */
    {"response", "https://example.com/r1", "2023-12-12T01:40:35Z", U "27>", NULL, NULL, "eng",
     "text/plain", NULL, NULL, "a response\n", 0},
    {"metadata", "https://example.com/r2", "2023-12-12T01:40:36Z", U "28>", NULL, NULL, NULL,
     "application/json", NULL, NULL, "{}\n", 0},
};

static int usage(void)
{
    fputs("usage: gen_wet [--gzip[=LEVEL]] [--size-mb N | --records N] [--seed S] "
          "[--edge-cases] OUT\n",
          stderr);
    return 2;
}

int main(int argc, char **argv)
{
    int gzip = 0, edges = 0;
    double size_mb = 0;
    long records = -1;
    unsigned long long seed = 1;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--gzip") == 0)
            gzip = 6;
        else if (strncmp(a, "--gzip=", 7) == 0)
            gzip = atoi(a + 7);
        else if (strcmp(a, "--edge-cases") == 0)
            edges = 1;
        else if (strcmp(a, "--size-mb") == 0 && i + 1 < argc)
            size_mb = atof(argv[++i]);
        else if (strcmp(a, "--records") == 0 && i + 1 < argc)
            records = atol(argv[++i]);
        else if (strcmp(a, "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (a[0] == '-' || out != NULL)
            return usage();
        else
            out = a;
    }
    if (out == NULL || gzip < 0 || gzip > 9)
        return usage();

    ldt_wet_writer *w = ldt_wet_writer_open(out, gzip);
    if (w == NULL) {
        perror(out);
        return 1;
    }
    const char *base = strrchr(out, '/');
    ldt_wet_record info = ldt_wet_warcinfo(base ? base + 1 : out);
    int failed = ldt_wet_write(w, &info) != 0;
    for (size_t i = 0; edges && i < sizeof edge_cases / sizeof edge_cases[0]; i++)
        failed |= ldt_wet_write(w, &edge_cases[i]) != 0;
    ldt_rng rng;
    ldt_rng_seed(&rng, seed);
    ldt_wet_random random = {0};
    uint64_t limit = (uint64_t)(size_mb * 1e6);
    for (long n = 0; !failed && (records >= 0 ? n < records : ldt_wet_bytes(w) < limit); n++) {
        const ldt_wet_record *r = ldt_wet_random_record(&random, &rng);
        failed = r == NULL || ldt_wet_write(w, r) != 0;
    }
    ldt_wet_random_free(&random);
    uint64_t bytes = ldt_wet_bytes(w);
    if (ldt_wet_writer_close(w) != 0 || failed) {
        fprintf(stderr, "gen_wet: writing %s failed\n", out);
        return 1;
    }
    fprintf(stderr, "gen_wet: %s: %.1f MB of WET\n", out, (double)bytes / 1e6);
    return 0;
}
