/*
 * bench_aws.c - GET and PUT of a large object (default 1 GiB) through libletsdata-aws
 * against tests/aws/fake_aws.py on loopback, each beside `curl` doing the same transfer
 * in the same run, with each client's peak RSS. Issue #11 targets: within 10% of curl,
 * peak RSS <= 64 MiB.
 *
 *   bench_aws [SIZE_MIB] [ROUNDS]
 *
 * The fake runs in --fast mode (signatures, sizes and part lists checked; uploaded bytes
 * counted, not hashed or kept; GETs served with sendfile from this program's file) so
 * that the Python server is not what is measured. Each transfer runs in a child process (this program
 * again, `--client`), so its peak RSS is its own (wait4). PUT of the file (64 MiB parts
 * streamed from it) with UNSIGNED-PAYLOAD beside curl sending the same (as both do over
 * https); of the same bytes through a read callback (size unknown: 8 MiB part buffers, two
 * in flight); and of the file with its parts' SHA-256
 * signed (our default over http) beside sha256sum then curl with that digest, since curl
 * cannot hash a body it streams.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <letsdata/aws.h>
#include <letsdata/aws_s3.h>

#include "fake.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int discard(void *payload, const void *data, size_t length)
{
    (void)data;
    *(unsigned long long *)payload += length;
    return 0;
}

static long read_stream(void *payload, void *buffer, size_t capacity)
{
    size_t n = fread(buffer, 1, capacity, payload);
    return n == 0 && ferror((FILE *)payload) ? -1 : (long)n;
}

/* `bench_aws --client get|put|put-unsigned|put-stream URL PATH`: one transfer with
 * libletsdata-aws (put-stream: through the read callback, as for a pipe). */
static int client_main(char **argv)
{
    ld_aws_error error;
    ld_aws_credentials *c = ld_aws_credentials_new(FAKE_KEY, FAKE_SECRET, NULL, &error);
    ld_aws_client_options options = LD_AWS_CLIENT_OPTIONS_INIT;
    options.region = FAKE_REGION;
    options.endpoint_url = argv[3];
    options.credentials = c;
    if (strcmp(argv[2], "put-unsigned") == 0 || strcmp(argv[2], "put-stream") == 0)
        options.payload_signing = LD_AWS_PAYLOAD_UNSIGNED;
    ld_aws_client *client = ld_aws_client_new(&options, &error);
    int rc;
    if (strcmp(argv[2], "put-stream") == 0) {
        /* Size unknown (a pipe, say): 8 MiB part buffers, two parts in flight. */
        FILE *f = fopen(argv[4], "rb");
        rc = f != NULL ? ld_s3_put_object_from_callback(client, FAKE_BUCKET, "bench/object",
                                                        read_stream, f, NULL, &error)
                       : LD_ERR_IO;
        if (f != NULL)
            fclose(f);
    } else if (strncmp(argv[2], "put", 3) == 0) {
        rc = ld_s3_put_object_from_file(client, FAKE_BUCKET, "bench/object", argv[4], NULL,
                                        &error);
    } else {
        unsigned long long bytes = 0;
        rc = ld_s3_get_object(client, FAKE_BUCKET, "bench/read", NULL, discard, &bytes, NULL,
                              &error);
        if (rc == LD_OK && (off_t)bytes != (off_t)atoll(argv[4]))
            rc = LD_ERR_IO;
    }
    if (rc != LD_OK)
        fprintf(stderr, "bench_aws client: %s\n", error.message);
    ld_aws_client_free(client);
    ld_aws_credentials_free(c);
    return rc == LD_OK ? 0 : 1;
}

typedef struct measured {
    double seconds;
    long peak_rss_kib;
    int ok;
} measured;

static measured run(char *const argv[])
{
    measured m = {0, 0, 0};
    double start = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage usage;
    if (pid < 0 || wait4(pid, &status, 0, &usage) != pid)
        return m;
    m.seconds = now_s() - start;
    m.peak_rss_kib = usage.ru_maxrss;
    m.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return m;
}

static void keep_best(measured *best, measured now)
{
    if (!now.ok)
        best->ok = 0;
    if (best->seconds == 0 || now.seconds < best->seconds)
        best->seconds = now.seconds;
    if (now.peak_rss_kib > best->peak_rss_kib)
        best->peak_rss_kib = now.peak_rss_kib;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "--client") == 0)
        return client_main(argv);
    long mib = argc > 1 ? atol(argv[1]) : 1024;
    int rounds = argc > 2 ? atoi(argv[2]) : 2;
    if (mib <= 0 || rounds <= 0) {
        fprintf(stderr, "usage: bench_aws [SIZE_MIB] [ROUNDS]\n");
        return 2;
    }
    const char *extra[] = {"--fast", NULL};
    fake_aws fake;
    if (fake_aws_start(&fake, extra) != 0)
        return 2;
    /* The object: incompressible-looking bytes, written once. */
    char path[] = "/tmp/ldt-bench-aws-XXXXXX";
    int fd = mkstemp(path);
    char *block = malloc(1 << 20);
    unsigned long long x = 88172645463325252ull;
    for (size_t i = 0; i < (1u << 20); i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        block[i] = (char)x;
    }
    for (long i = 0; i < mib; i++) {
        block[i % 4096] ^= (char)i; /* no two MiB alike */
        if (write(fd, block, 1 << 20) != 1 << 20) {
            fprintf(stderr, "bench_aws: cannot write %s: %s\n", path, strerror(errno));
            return 2;
        }
    }
    close(fd);
    free(block);
    char size[32], url[160], self[4096], user[64];
    snprintf(size, sizeof size, "%lld", (long long)mib << 20);
    snprintf(url, sizeof url, "%s/%s/bench/object", fake.url, FAKE_BUCKET);
    snprintf(user, sizeof user, "%s:%s", FAKE_KEY, FAKE_SECRET);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    /* --fast keeps no uploaded bytes: GETs read the same file, served by the fake. */
    char object[4400];
    snprintf(object, sizeof object,
             "{\"bucket\": \"%s\", \"key\": \"bench/read\", \"file\": \"%s\"}",
             FAKE_BUCKET, path);
    if (fake_admin(&fake, "POST", "object", object, NULL) != 204) {
        fprintf(stderr, "bench_aws: the fake did not take %s\n", path);
        return 2;
    }
    char read_url[160];
    snprintf(read_url, sizeof read_url, "%s/%s/bench/read", fake.url, FAKE_BUCKET);
    char sigv4[] = "aws:amz:" FAKE_REGION ":s3";
    char *ours_put[] = {self, "--client", "put", fake.url, path, NULL};
    char *ours_put_unsigned[] = {self, "--client", "put-unsigned", fake.url, path, NULL};
    char *ours_put_stream[] = {self, "--client", "put-stream", fake.url, path, NULL};
    char *ours_get[] = {self, "--client", "get", fake.url, size, NULL};
    char *curl_put_unsigned[] = {"curl", "-sf", "-o", "/dev/null", "--aws-sigv4", sigv4, "--user",
                                 user, "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-T", path,
                                 url, NULL};
    /* curl cannot hash what it streams: the signed peer hashes first, as a user would. */
    char script[9000];
    snprintf(script, sizeof script,
             "curl -sf -o /dev/null --aws-sigv4 '%s' --user '%s' -H \"x-amz-content-sha256: "
             "$(sha256sum '%s' | cut -c1-64)\" -T '%s' '%s'",
             sigv4, user, path, path, url);
    char *curl_put[] = {"sh", "-c", script, NULL};
    char *curl_get[] = {"curl", "-sf", "-o", "/dev/null", "--aws-sigv4", sigv4, "--user", user,
                        "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", read_url, NULL};
    struct {
        const char *what, *peer;
        char **ours, **curl;
        measured m_ours, m_curl;
    } rows[] = {
        {"GET", "curl", ours_get, curl_get, {0, 0, 1}, {0, 0, 1}},
        {"PUT file, unsigned", "curl", ours_put_unsigned, curl_put_unsigned, {0, 0, 1},
         {0, 0, 1}},
        {"PUT file, signed", "sha256sum+curl", ours_put, curl_put, {0, 0, 1}, {0, 0, 1}},
        {"PUT stream, unsigned", "curl", ours_put_stream, curl_put_unsigned, {0, 0, 1},
         {0, 0, 1}},
    };
    const int row_count = 4;
    /* Alternate who goes first, keep each one's best round: the machine is shared. */
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < row_count; i++) {
            if (r % 2 == 0) {
                keep_best(&rows[i].m_curl, run(rows[i].curl));
                keep_best(&rows[i].m_ours, run(rows[i].ours));
            } else {
                keep_best(&rows[i].m_ours, run(rows[i].ours));
                keep_best(&rows[i].m_curl, run(rows[i].curl));
            }
        }
    }
    unlink(path);
    fake_aws_stop(&fake);
    double mb = (double)mib * 1048576.0 / 1e6;
    printf("libletsdata-aws vs curl, %ld MiB object, loopback fake S3 (--fast), best of %d\n",
           mib, rounds);
    int ok = 1;
    for (int i = 0; i < row_count; i++) {
        measured *o = &rows[i].m_ours, *c = &rows[i].m_curl;
        ok &= o->ok && c->ok;
        double ours_rate = mb / o->seconds, curl_rate = mb / c->seconds;
        printf("%-20s libletsdata-aws %8.1f MB/s  peak RSS %6.1f MiB%s\n", rows[i].what,
               ours_rate, o->peak_rss_kib / 1024.0, o->ok ? "" : "  FAILED");
        printf("%-20s %-15s %8.1f MB/s  peak RSS %6.1f MiB%s\n", rows[i].what, rows[i].peer,
               curl_rate, c->peak_rss_kib / 1024.0, c->ok ? "" : "  FAILED");
        printf("%-20s ratio %.3f of %s (target >= 0.90); peak RSS %.1f MiB (target <= 64)\n",
               rows[i].what, ours_rate / curl_rate, rows[i].peer, o->peak_rss_kib / 1024.0);
    }
    return ok ? 0 : 1;
}
