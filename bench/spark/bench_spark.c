/*
 * bench_spark.c - the example Spark mapper (examples/spark_mapper.c through
 * `letsdata-runtime --handler libletsdata-examples.so invoke`) over a generated WET
 * file, plain and gzip, beside its peers measured in the same run:
 *   - bare DuckDB doing the same work in SQL alone (read_text + string_split + the same
 *     expressions; it cannot read gzip text at all), through DuckDB's C API;
 *   - the PySpark version (tests/spark_examples/pyspark_wet.py) in local mode;
 * and the example reducer over 1M rows. Each run is a child process: wall time and peak
 * RSS (wait4, or the process group's summed RSS sampled every 100 ms for pyspark's JVM).
 * Every mapper writes the same output: parquet, snappy (Spark's default).
 *
 *   bench_spark RUNTIME EXAMPLES_MODULE GEN_WET DATA_DIR INSTALL_PYSPARK PYSPARK_SCRIPT
 *               [SIZE_MB [PYSPARK_MB]]
 *
 * Issue #10 targets: >= 4x bare DuckDB on plain input, gzip >= 70% of plain, >= 10x
 * PySpark, peak RSS <= 512 MiB, the reducer over 1M rows < 1 s. Printed beside the
 * figures; the benchmark fails only when something cannot run.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* DuckDB's header declares some functions with () parameter lists. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <duckdb.h>
#pragma GCC diagnostic pop

typedef struct measured {
    int ok;
    double seconds;
    double cpu_seconds; /* user + system, the child and its waited-for children */
    double peak_mib;
    char output[4096]; /* the child's stdout (start of it) */
} measured;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Summed RSS (KiB) of every process in process group @p group. */
static long group_rss_kib(pid_t group)
{
    DIR *proc = opendir("/proc");
    struct dirent *entry;
    long total = 0;
    long page_kib = sysconf(_SC_PAGESIZE) / 1024;
    while (proc != NULL && (entry = readdir(proc)) != NULL) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
            continue;
        char path[300], buffer[1024];
        snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buffer, sizeof buffer - 1);
        close(fd);
        if (n <= 0)
            continue;
        buffer[n] = '\0';
        /* After the command's closing parenthesis: state(3) ppid(4) pgrp(5) ... rss(24). */
        char *p = strrchr(buffer, ')');
        if (p == NULL)
            continue;
        long pgrp = -1, rss = 0;
        int field = 2;
        char *save = NULL;
        for (char *token = strtok_r(p + 1, " ", &save); token != NULL;
             token = strtok_r(NULL, " ", &save)) {
            field++;
            if (field == 5)
                pgrp = strtol(token, NULL, 10);
            else if (field == 24) {
                rss = strtol(token, NULL, 10);
                break;
            }
        }
        if (pgrp != group)
            continue;
        total += rss * page_kib;
    }
    if (proc)
        closedir(proc);
    return total;
}

/* Run @p argv as a child (its own process group), stdout captured (start of it),
 * stderr to @p log (or inherited). */
static measured run(char *const argv[], const char *log)
{
    measured m = {0};
    int out[2];
    if (pipe(out) != 0)
        return m;
    double start = now();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(out[1], 1);
        close(out[0]);
        if (log != NULL) {
            int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0)
                dup2(fd, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    close(out[1]);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    size_t got = 0;
    long peak_kib = 0;
    int status = 0;
    struct rusage usage = {0};
    for (;;) {
        ssize_t k;
        char sink[65536];
        while ((k = read(out[0], sink, sizeof sink)) > 0) {
            size_t keep = (size_t)k < sizeof m.output - 1 - got ? (size_t)k
                                                                : sizeof m.output - 1 - got;
            memcpy(m.output + got, sink, keep);
            got += keep;
        }
        pid_t done = wait4(pid, &status, WNOHANG, &usage);
        if (done == pid)
            break;
        long rss = group_rss_kib(pid);
        if (rss > peak_kib)
            peak_kib = rss;
        usleep(100000);
    }
    m.seconds = now() - start;
    m.cpu_seconds = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
                    (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
    close(out[0]);
    m.output[got] = '\0';
    if (usage.ru_maxrss > peak_kib)
        peak_kib = usage.ru_maxrss;
    m.peak_mib = (double)peak_kib / 1024.0;
    m.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    /* Leftovers of the group (pyspark's JVM) must not outlive the measurement. */
    kill(-pid, SIGKILL);
    return m;
}

static double file_mb(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (double)st.st_size / 1e6 : 0;
}

static int ensure_wet(const char *gen_wet, const char *path, double size_mb, int gzip)
{
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > 0)
        return 0;
    char size[32], tmp[4200];
    snprintf(size, sizeof size, "%.0f", size_mb);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    char *argv[10];
    int n = 0;
    argv[n++] = (char *)gen_wet;
    if (gzip)
        argv[n++] = "--gzip";
    argv[n++] = "--seed";
    argv[n++] = "1";
    argv[n++] = "--size-mb";
    argv[n++] = size;
    argv[n++] = tmp;
    argv[n] = NULL;
    measured m = run(argv, NULL);
    if (!m.ok || rename(tmp, path) != 0) {
        fprintf(stderr, "bench_spark: cannot generate %s\n", path);
        return -1;
    }
    return 0;
}

static int write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* A SparkMapperInterface request: read @p in as text, write parquet (snappy) to @p out. */
static int write_mapper_request(const char *path, const char *in, const char *out)
{
    char text[16384];
    snprintf(text, sizeof text,
             "{\"requestId\":\"bench\",\"interface\":\"SparkMapperInterface\",\"function\":"
             "\"mapper\",\"letsdataAuth\":{\"tenantId\":\"t\",\"userId\":\"u\",\"datasetName\":"
             "\"bench\",\"datasetId\":\"d\"},\"data\":{\"appName\":\"bench\",\"readDestination\":"
             "\"S3\",\"readUri\":\"%s\",\"readFormat\":\"text\",\"readOptions\":{\"lineSep\":"
             "\"\\n\\r\\n\\r\\n\"},\"writeDestination\":\"S3\",\"writeUri\":\"%s\",\"writeFormat\":"
             "\"parquet\",\"writeMode\":\"overwrite\",\"writeOptions\":{\"compression\":"
             "\"snappy\"},\"sparkCredentialsSecretArn\":\"\"}}",
             in, out);
    return write_text_file(path, text);
}

static int write_reducer_request(const char *path, const char *in, const char *out)
{
    char text[16384];
    snprintf(text, sizeof text,
             "{\"requestId\":\"bench\",\"interface\":\"SparkReducerInterface\",\"function\":"
             "\"reducer\",\"letsdataAuth\":{\"tenantId\":\"t\",\"userId\":\"u\",\"datasetName\":"
             "\"bench\",\"datasetId\":\"d\"},\"data\":{\"appName\":\"bench\",\"readDestination\":"
             "\"S3\",\"readUris\":[\"%s\"],\"readFormat\":\"parquet\",\"readOptions\":{},"
             "\"writeDestination\":\"S3\",\"writeUri\":\"%s\",\"writeFormat\":\"json\","
             "\"writeMode\":\"overwrite\",\"writeOptions\":{},\"sparkCredentialsSecretArn\":\"\"}}",
             in, out);
    return write_text_file(path, text);
}

/* ---- bare DuckDB: the mapper in SQL alone (child mode "duckdb-sql IN OUT") ---- */

static int duckdb_run(const char *sql)
{
    duckdb_database db;
    duckdb_connection con;
    duckdb_config config;
    if (duckdb_create_config(&config) != DuckDBSuccess)
        return 1;
    duckdb_set_config(config, "autoinstall_known_extensions", "false");
    duckdb_set_config(config, "autoload_known_extensions", "false");
    duckdb_set_config(config, "threads", "2");
    char *error = NULL;
    if (duckdb_open_ext(NULL, &db, config, &error) != DuckDBSuccess) {
        fprintf(stderr, "duckdb: %s\n", error ? error : "open failed");
        return 1;
    }
    duckdb_destroy_config(&config);
    duckdb_connect(db, &con);
    duckdb_result result;
    int rc = duckdb_query(con, sql, &result) == DuckDBSuccess ? 0 : 1;
    if (rc != 0)
        fprintf(stderr, "duckdb: %s\n", duckdb_result_error(&result));
    duckdb_destroy_result(&result);
    duckdb_disconnect(&con);
    duckdb_close(&db);
    return rc;
}

/* What spark.md calls doing it well: split the file once (a materialized list), then
 * the mapper's expressions in DuckDB's own functions. The literals hold real CR/LF. */
static int duckdb_mapper(const char *in, const char *out)
{
    char *sql = NULL;
    if (asprintf(&sql,
                 "COPY (\n"
                 "WITH parts AS MATERIALIZED (\n"
                 "  SELECT string_split(content, '\n\r\n\r\n') AS records FROM read_text('%s')\n"
                 "), records AS (\n"
                 "  SELECT unnest(records) AS value FROM parts\n"
                 "), split AS (\n"
                 "  SELECT string_split(regexp_replace(value, '^\\s+|\\s+$', '', 'g'), "
                 "'\r\n\r\n') AS s FROM records\n"
                 "), kv AS (\n"
                 "  SELECT string_split_regex(s[1], ': |\r\n') AS h, s[2] AS payload FROM split\n"
                 "), m AS (\n"
                 "  SELECT map_from_entries(list_transform(range(2, len(h), 2),\n"
                 "           i -> {'k': h[i], 'v': h[i + 1]})) AS m, payload FROM kv\n"
                 ")\n"
                 "SELECT TRY_CAST(trim(m['Content-Length']) AS INTEGER) AS contentLength,\n"
                 "       TRY_CAST(m['WARC-Date'] AS TIMESTAMPTZ) AS warcDate,\n"
                 "       m['WARC-Record-ID'] AS warcRecordId, m['Content-Type'] AS contentType,\n"
                 "       m['WARC-Type'] AS warcType, m['WARC-Refers-To'] AS warcRefersTo,\n"
                 "       m['WARC-Identified-Content-Language'] AS language,\n"
                 "       m['WARC-Block-Digest'] AS blockDigest, m['WARC-Target-URI'] AS url,\n"
                 "       m['WARC-Target-URI'] AS docId, m['WARC-Target-URI'] AS partitionKey,\n"
                 "       payload AS docText\n"
                 "FROM m WHERE m['WARC-Type'] = 'conversion'\n"
                 ") TO '%s' (FORMAT parquet, COMPRESSION snappy)",
                 in, out) < 0)
        return 1;
    int rc = duckdb_run(sql);
    free(sql);
    return rc;
}

/* 1M rows of (language, contentLength) for the reducer, as a mapper's parquet output. */
static int duckdb_reducer_input(const char *dir)
{
    char *sql = NULL;
    mkdir(dir, 0777);
    if (asprintf(&sql,
                 "COPY (SELECT (['eng', 'deu', 'fra', 'rus', 'jpn', 'zho', 'spa', 'kor', 'ara', "
                 "NULL])[1 + (i %% 10)::INTEGER] AS language,\n"
                 "  CASE WHEN i %% 97 = 0 THEN NULL ELSE ((i * 7919) %% 100000)::INTEGER END "
                 "AS contentLength\n"
                 "FROM range(1000000) t(i)) TO '%s/part-00000-bench-c000.snappy.parquet' "
                 "(FORMAT parquet, COMPRESSION snappy)",
                 dir) < 0)
        return 1;
    int rc = duckdb_run(sql);
    free(sql);
    if (rc == 0) {
        char marker[4200];
        snprintf(marker, sizeof marker, "%s/_SUCCESS", dir);
        rc = write_text_file(marker, "") != 0;
    }
    return rc;
}

static void verdict(const char *what, double value, const char *op, double bound)
{
    int met = strcmp(op, ">=") == 0 ? value >= bound : value <= bound;
    printf("  %-44s %10.2f  (target %s %.2f)  %s\n", what, value, op, bound,
           met ? "met" : "NOT MET");
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "duckdb-sql") == 0)
        return duckdb_mapper(argv[2], argv[3]);
    if (argc >= 3 && strcmp(argv[1], "duckdb-reducer-input") == 0)
        return duckdb_reducer_input(argv[2]);
    if (argc < 7) {
        fprintf(stderr,
                "usage: %s RUNTIME EXAMPLES_MODULE GEN_WET DATA_DIR INSTALL_PYSPARK "
                "PYSPARK_SCRIPT [SIZE_MB [PYSPARK_MB]]\n",
                argv[0]);
        return 2;
    }
    const char *runtime = argv[1], *module = argv[2], *gen_wet = argv[3], *data = argv[4];
    const char *install_pyspark = argv[5], *pyspark_script = argv[6];
    double size_mb = argc > 7 ? atof(argv[7]) : 512;
    double pyspark_mb = argc > 8 ? atof(argv[8]) : 64;
    char self[4096];
    ssize_t self_length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (self_length <= 0)
        return 2;
    self[self_length] = '\0';
    mkdir(data, 0777);

    char plain[4200], gz[4200], small[4200], out[4200], request[4200], log[4200];
    snprintf(plain, sizeof plain, "%s/bench-%.0fMB.warc.wet", data, size_mb);
    snprintf(gz, sizeof gz, "%s/bench-%.0fMB.warc.wet.gz", data, size_mb);
    snprintf(small, sizeof small, "%s/bench-%.0fMB.warc.wet", data, pyspark_mb);
    printf("bench_spark: generating inputs (cached in %s)\n", data);
    fflush(stdout);
    if (ensure_wet(gen_wet, plain, size_mb, 0) != 0 || ensure_wet(gen_wet, gz, size_mb, 1) != 0 ||
        ensure_wet(gen_wet, small, pyspark_mb, 0) != 0)
        return 1;
    double mb = file_mb(plain), small_mb = file_mb(small);
    printf("inputs: %.1f MB plain, %.1f MB gzip (%.1f MB decompressed), %.1f MB for pyspark\n",
           mb, file_mb(gz), mb, small_mb);
    fflush(stdout);

    /* The C port, plain and gzip. */
    measured c_plain, c_gzip, duck, py = {0}, reducer;
    char *handler_argv[] = {(char *)runtime, "--handler", (char *)module, "invoke", request,
                            NULL};
    snprintf(out, sizeof out, "%s/out-c", data);
    snprintf(request, sizeof request, "%s/mapper-plain.json", data);
    snprintf(log, sizeof log, "%s/c-plain.log", data);
    write_mapper_request(request, plain, out);
    c_plain = run(handler_argv, log);
    c_plain.ok &= strstr(c_plain.output, "\"SUCCESS\"") != NULL;
    snprintf(request, sizeof request, "%s/mapper-gzip.json", data);
    snprintf(log, sizeof log, "%s/c-gzip.log", data);
    write_mapper_request(request, gz, out);
    c_gzip = run(handler_argv, log);
    c_gzip.ok &= strstr(c_gzip.output, "\"SUCCESS\"") != NULL;

    /* Bare DuckDB SQL over the plain file. */
    snprintf(out, sizeof out, "%s/out-duckdb.parquet", data);
    snprintf(log, sizeof log, "%s/duckdb.log", data);
    char *duck_argv[] = {self, "duckdb-sql", plain, out, NULL};
    duck = run(duck_argv, log);

    /* PySpark, local mode, on the smaller file (its rate is what is compared). */
    double py_job_seconds = 0;
    char python[4096] = "";
    char *check_argv[] = {(char *)install_pyspark, "--check", NULL};
    measured found = run(check_argv, NULL);
    if (found.ok) {
        snprintf(python, sizeof python, "%s", found.output);
        python[strcspn(python, "\n")] = '\0';
        snprintf(out, sizeof out, "%s/out-pyspark", data);
        snprintf(log, sizeof log, "%s/pyspark.log", data);
        char *py_argv[] = {python, (char *)pyspark_script, "mapper", out, small,
                           "--write-format", "parquet", "--write-options",
                           "{\"compression\": \"snappy\"}", "--threads", "2", NULL};
        py = run(py_argv, log);
        const char *s = strstr(py.output, "\"seconds\":");
        if (py.ok && s != NULL)
            py_job_seconds = atof(s + 10);
        py.ok &= py_job_seconds > 0;
    }

    /* The reducer over 1M rows. */
    char reducer_in[4200];
    snprintf(reducer_in, sizeof reducer_in, "%s/reducer-1m", data);
    char *input_argv[] = {self, "duckdb-reducer-input", reducer_in, NULL};
    measured made = run(input_argv, NULL);
    snprintf(out, sizeof out, "%s/out-reducer", data);
    snprintf(request, sizeof request, "%s/reducer.json", data);
    snprintf(log, sizeof log, "%s/reducer.log", data);
    write_reducer_request(request, reducer_in, out);
    reducer = made.ok ? run(handler_argv, log) : made;
    reducer.ok &= strstr(reducer.output, "\"SUCCESS\"") != NULL;

    double c_rate = c_plain.ok ? mb / c_plain.seconds : 0;
    double gz_rate = c_gzip.ok ? mb / c_gzip.seconds : 0;
    double duck_rate = duck.ok ? mb / duck.seconds : 0;
    double py_rate = py.ok ? small_mb / py_job_seconds : 0;
    printf("\n%-52s %9s %9s %9s %10s\n", "run", "seconds", "MB/s", "CPU s", "peak MiB");
    printf("%-52s %9.2f %9.1f %9.2f %10.1f%s\n",
           "C example mapper, plain (letsdata-runtime invoke)", c_plain.seconds, c_rate,
           c_plain.cpu_seconds, c_plain.peak_mib, c_plain.ok ? "" : "  FAILED");
    printf("%-52s %9.2f %9.1f %9.2f %10.1f%s\n", "C example mapper, gzip", c_gzip.seconds,
           gz_rate, c_gzip.cpu_seconds, c_gzip.peak_mib, c_gzip.ok ? "" : "  FAILED");
    printf("%-52s %9.2f %9.1f %9.2f %10.1f%s\n", "bare DuckDB SQL, plain (gzip: cannot read)",
           duck.seconds, duck_rate, duck.cpu_seconds, duck.peak_mib, duck.ok ? "" : "  FAILED");
    if (found.ok)
        printf("%-52s %9.2f %9.2f %9.2f %10.1f%s\n",
               "PySpark local[2], plain (job time, JVM excluded)", py_job_seconds, py_rate,
               py.cpu_seconds, py.peak_mib, py.ok ? "" : "  FAILED");
    else
        printf("%-52s %9s %9s %9s %10s\n", "PySpark (not installed: scripts/install-pyspark.sh)",
               "-", "-", "-", "-");
    printf("%-52s %9.3f %9s %9.2f %10.1f%s\n", "C example reducer, 1M rows parquet -> json",
           reducer.seconds, "", reducer.cpu_seconds, reducer.peak_mib,
           reducer.ok ? "" : "  FAILED");
    if (found.ok)
        printf("(PySpark wall time with JVM start: %.2f s for %.1f MB)\n", py.seconds, small_mb);

    printf("\ntargets (issue #10), measured in this run (wall-clock rates; CPU seconds above\n"
           "show the work on a machine shared with other jobs):\n");
    if (c_plain.ok && duck.ok)
        verdict("C plain / bare DuckDB throughput", c_rate / duck_rate, ">=", 4);
    if (c_plain.ok && duck.ok && c_plain.cpu_seconds > 0)
        verdict("  the same in CPU time (DuckDB CPU s / C CPU s)",
                duck.cpu_seconds / c_plain.cpu_seconds, ">=", 4);
    if (c_plain.ok && c_gzip.ok)
        verdict("C gzip / C plain throughput", gz_rate / c_rate, ">=", 0.7);
    if (c_plain.ok && py.ok)
        verdict("C plain / PySpark throughput", c_rate / py_rate, ">=", 10);
    if (c_plain.ok && c_gzip.ok)
        verdict("C peak RSS, MiB (max of plain, gzip)",
                c_plain.peak_mib > c_gzip.peak_mib ? c_plain.peak_mib : c_gzip.peak_mib, "<=",
                512);
    if (reducer.ok)
        verdict("C reducer over 1M rows, seconds", reducer.seconds, "<=", 1);
    return c_plain.ok && c_gzip.ok && duck.ok && reducer.ok ? 0 : 1;
}
