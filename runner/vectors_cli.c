/*
 * vectors_cli.c - the `run` options of vector datasets (see vectorize.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectorize.h"

const char ldvec_cli_usage[] =
    "\n"
    "Datasets and vectors (LAMBDA_AND_SAGEMAKER; see docs/local-runner.md):\n"
    "  --dataset FILE         a dataset configuration JSON: its reader, its manifest (for\n"
    "                         S3ReaderTextManifestFile) and its compute engine\n"
    "  --vectorizer SPEC      run extractDocumentElementsForVectorization -> vectorize ->\n"
    "                         constructVectorDoc on every SUCCESS document. SPEC:\n"
    "                           hash:DIM                 built-in feature hashing (not\n"
    "                                                    semantic; tests, offline work)\n"
    "                           http://HOST:PORT/PATH    HuggingFace feature-extraction JSON\n"
    "                           sagemaker:ENDPOINT_NAME  SageMaker InvokeEndpoint\n"
    "  --vector-jobs N        requests in flight at once (default 4, or the dataset's\n"
    "                         sagemakerEndpointConcurrency)\n"
    "  --vector-batch N       texts per request (default 16; 1: no batching)\n"
    "  --vector-dim N         expected vector length (default: the first vector's)\n"
    "  --vector-timeout-ms N  per request (default 60000)\n"
    "  --vector-attempts N    tries per request on throttling, 5xx and broken\n"
    "                         connections (default 3, with exponential backoff)\n";

static int number(const char *option, const char *value, unsigned long long min,
                  unsigned long long max, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = value && *value >= '0' && *value <= '9' ? strtoull(value, &end, 10) : 0;
    if (value == NULL || end == NULL || *end || errno || n < min || n > max) {
        fprintf(stderr,
                "letsdata-runtime run: %s needs a number from %llu to %llu, got %s\n"
                "Try 'letsdata-runtime run --help'.\n",
                option, min, max, value ? value : "nothing");
        return -1;
    }
    *out = n;
    return 0;
}

int ldvec_cli_option(ldvec_cli *cli, const char *arg, const char *value)
{
    unsigned long long n;
    if (strcmp(arg, "--vectorizer") == 0 || strcmp(arg, "--dataset") == 0) {
        if (value == NULL || *value == '\0') {
            fprintf(stderr, "letsdata-runtime run: missing value for %s\n"
                            "Try 'letsdata-runtime run --help'.\n", arg);
            return -1;
        }
        if (arg[2] == 'v')
            cli->spec = value;
        else
            cli->dataset = value;
        return 2;
    }
    if (strcmp(arg, "--vector-jobs") == 0) {
        if (number(arg, value, 1, 256, &n) != 0)
            return -1;
        cli->options.jobs = (unsigned)n;
        cli->jobs_given = 1;
    } else if (strcmp(arg, "--vector-batch") == 0) {
        if (number(arg, value, 1, 1024, &n) != 0)
            return -1;
        cli->options.batch = (unsigned)n;
    } else if (strcmp(arg, "--vector-dim") == 0) {
        if (number(arg, value, 1, 1u << 20, &n) != 0)
            return -1;
        cli->options.dim = (size_t)n;
    } else if (strcmp(arg, "--vector-timeout-ms") == 0) {
        if (number(arg, value, 1, 24ull * 3600 * 1000, &n) != 0)
            return -1;
        cli->options.timeout_ms = (long)n;
    } else if (strcmp(arg, "--vector-attempts") == 0) {
        if (number(arg, value, 1, 20, &n) != 0)
            return -1;
        cli->options.attempts = (unsigned)n;
    } else {
        return 0;
    }
    return 2;
}
