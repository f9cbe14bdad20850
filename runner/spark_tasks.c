/*
 * spark_tasks.c - run a Spark dataset locally (see spark_tasks.h): mapper tasks on N
 * threads, then the reducer, each one call of the registered Spark interface with the
 * arguments LetsData would send; a per-task summary.
 *
 * Layout of the output directory DIR:
 *   DIR/intermediate/mapper-NNNNN/   MAPPER_AND_REDUCER: parquet + gzip, as LetsData's
 *                                    intermediate files
 *   DIR/output/                      the reducer's output (MAPPER_AND_REDUCER,
 *                                    REDUCER_ONLY)
 *   DIR/output/mapper-NNNNN/         MAPPER_ONLY: each mapper's output
 *   DIR/summary.json                 rows, bytes and seconds per task
 *   DIR/.spark-stats/                the engine's per-task counters (see below)
 *
 * A task is done when its output directory has `_SUCCESS` (Spark writes it last), which
 * is also what --resume trusts. Rows come from the engine: libletsdata-spark appends
 * each session's counters to $LETSDATA_SPARK_STATS_DIR/<appName>.json when that
 * variable is set, and every task has its own appName. Bytes are measured here.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runner_internal.h"
#include "spark_config.h"
#include "spark_tasks.h"

typedef enum task_state { TASK_PENDING, TASK_DONE, TASK_SKIPPED, TASK_FAILED } task_state;

typedef struct spark_task {
    char name[32];               /* "mapper-00000" or "reducer" */
    int reducer;
    const char *const *read_uris;
    size_t read_count;
    const char *read_format, *write_format;
    json_t *read_options, *write_options; /* borrowed */
    char *write_uri;             /* an absolute directory path */
    char app_name[512];
    /* Results: */
    task_state state;
    char *error;
    double seconds;
    uint64_t bytes_in, bytes_out, files_out;
    json_int_t rows_in, rows_out; /* -1: unknown */
} spark_task;

typedef struct spark_run {
    const ld_registry *registry;
    const ldrun_spark_config *config;
    spark_task *tasks;
    size_t count;
    size_t next;
    int stop;
    int progress;
    pthread_mutex_t lock;
} spark_run;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *join_path(const char *dir, const char *name)
{
    char *path = NULL;
    return asprintf(&path, "%s/%s", dir, name) < 0 ? NULL : path;
}

static int has_success(const char *dir)
{
    char *marker = join_path(dir, "_SUCCESS");
    struct stat st;
    int found = marker != NULL && stat(marker, &st) == 0 && S_ISREG(st.st_mode);
    free(marker);
    return found;
}

/* Bytes (and data files) at @p path: a file, or a directory's files other than those
 * named _* or .* (what Spark reads and writes). */
static void measure(const char *path, uint64_t *bytes, uint64_t *files)
{
    struct stat st;
    if (path == NULL || stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        *bytes += (uint64_t)st.st_size;
        if (files)
            (*files)++;
        return;
    }
    DIR *dir = opendir(path);
    struct dirent *entry;
    while (dir != NULL && (entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '_' || entry->d_name[0] == '.')
            continue;
        char *child = join_path(path, entry->d_name);
        if (child != NULL && stat(child, &st) == 0 && S_ISREG(st.st_mode)) {
            *bytes += (uint64_t)st.st_size;
            if (files)
                (*files)++;
        }
        free(child);
    }
    if (dir)
        closedir(dir);
}

/* The engine's counters of @p task's sessions (one JSON object per line), if any. */
static void read_engine_stats(const char *stats_dir, spark_task *task)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s.json", stats_dir, task->app_name) < 0)
        return;
    FILE *f = fopen(path, "r");
    free(path);
    if (f == NULL)
        return;
    char *line = NULL;
    size_t size = 0;
    json_int_t rows_in = 0, rows_out = 0;
    int seen = 0;
    while (getline(&line, &size, f) > 0) {
        json_t *stats = json_loads(line, 0, NULL);
        if (json_is_object(stats)) {
            rows_in += json_integer_value(json_object_get(stats, "rowsRead"));
            rows_out += json_integer_value(json_object_get(stats, "rowsWritten"));
            seen = 1;
        }
        json_decref(stats);
    }
    free(line);
    fclose(f);
    if (seen) {
        task->rows_in = rows_in;
        task->rows_out = rows_out;
    }
}

static void run_one(spark_run *run, spark_task *task)
{
    const ldrun_spark_config *c = run->config;
    task->rows_in = task->rows_out = -1;
    for (size_t i = 0; i < task->read_count; i++) {
        char *local = ldrun_spark_local_path(c, task->read_uris[i]);
        measure(local, &task->bytes_in, NULL);
        free(local);
    }
    if (!task->reducer && c->resume && has_success(task->write_uri)) {
        task->state = TASK_SKIPPED;
        measure(task->write_uri, &task->bytes_out, &task->files_out);
        return;
    }
    char request_id[LD_UUID_STRING_LENGTH + 1];
    ld_uuid_v4(request_id);
    ld_context *ctx = ld_context_new(request_id, "local", "local", c->dataset_name, "local");
    if (ctx == NULL) {
        task->state = TASK_FAILED;
        task->error = ld_strdup("out of memory");
        return;
    }
    double started = now_seconds();
    int rc;
    if (task->reducer) {
        const ld_spark_reducer_interface *impl =
            ld_registry_spark_reducer_interface(run->registry);
        rc = impl->reducer(ctx, impl->payload, task->app_name, "S3", task->read_uris,
                           task->read_count, task->read_format, task->read_options, "S3",
                           task->write_uri, task->write_format, c->write_mode,
                           task->write_options, "");
    } else {
        const ld_spark_mapper_interface *impl =
            ld_registry_spark_mapper_interface(run->registry);
        rc = impl->mapper(ctx, impl->payload, task->app_name, "S3", task->read_uris[0],
                          task->read_format, task->read_options, "S3", task->write_uri,
                          task->write_format, c->write_mode, task->write_options, "");
    }
    task->seconds = now_seconds() - started;
    if (rc != LD_OK || ld_context_failed(ctx)) {
        task->state = TASK_FAILED;
        if (asprintf(&task->error, "%s (%s) failed: %s: %s", task->name,
                     task->reducer ? task->write_uri : task->read_uris[0],
                     ld_context_failed(ctx) ? ld_context_error_type(ctx) : "HandlerError",
                     ld_context_failed(ctx) ? ld_context_error_message(ctx)
                                            : ld_status_name(rc)) < 0)
            task->error = NULL;
    } else if (!has_success(task->write_uri)) {
        /* Spark writes _SUCCESS last; without it the output is not complete. */
        task->state = TASK_FAILED;
        if (asprintf(&task->error, "%s returned but left no %s/_SUCCESS", task->name,
                     task->write_uri) < 0)
            task->error = NULL;
    } else {
        task->state = TASK_DONE;
    }
    ld_context_free(ctx);
    measure(task->write_uri, &task->bytes_out, &task->files_out);
}

static void *worker(void *arg)
{
    spark_run *run = arg;
    for (;;) {
        pthread_mutex_lock(&run->lock);
        spark_task *task = run->stop || run->next == run->count ? NULL : &run->tasks[run->next++];
        pthread_mutex_unlock(&run->lock);
        if (task == NULL)
            return NULL;
        run_one(run, task);
        pthread_mutex_lock(&run->lock);
        if (task->state == TASK_FAILED)
            run->stop = 1;
        if (run->progress && task->state != TASK_FAILED)
            fprintf(stderr, "letsdata-runtime run: %s %s: %.2f s\n", task->name,
                    task->state == TASK_SKIPPED ? "skipped (has _SUCCESS)" : "done",
                    task->seconds);
        pthread_mutex_unlock(&run->lock);
    }
}

/* Run run->tasks[0, count) on up to @p jobs threads; stops starting tasks after a
 * failure (running ones finish, as on LetsData). */
static void run_parallel(spark_run *run, unsigned jobs)
{
    pthread_t threads[64];
    unsigned started = 0;
    if (jobs > run->count)
        jobs = (unsigned)run->count;
    for (unsigned t = 1; t < jobs; t++)
        if (pthread_create(&threads[started], NULL, worker, run) == 0)
            started++;
    worker(run);
    for (unsigned t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
}

static json_t *task_json(const spark_task *t)
{
    static const char *const states[] = {"notRun", "done", "skipped", "failed"};
    json_t *reads = json_array();
    for (size_t i = 0; i < t->read_count; i++)
        json_array_append_new(reads, json_string(t->read_uris[i]));
    json_t *j = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:f, s:I, s:I, s:I}", "task", t->name,
                          "status", states[t->state], "readUris", reads, "readFormat",
                          t->read_format, "writeUri", t->write_uri, "writeFormat",
                          t->write_format, "seconds", t->seconds, "bytesIn",
                          (json_int_t)t->bytes_in, "bytesOut", (json_int_t)t->bytes_out,
                          "filesOut", (json_int_t)t->files_out);
    if (j == NULL)
        return NULL;
    json_object_set_new(j, "rowsIn", t->rows_in >= 0 ? json_integer(t->rows_in) : json_null());
    json_object_set_new(j, "rowsOut", t->rows_out >= 0 ? json_integer(t->rows_out) : json_null());
    if (t->error)
        json_object_set_new(j, "error", json_string(t->error));
    return j;
}

static void print_task(const spark_task *t)
{
    char rows_in[32] = "?", rows_out[32] = "?";
    if (t->rows_in >= 0)
        snprintf(rows_in, sizeof rows_in, "%lld", (long long)t->rows_in);
    if (t->rows_out >= 0)
        snprintf(rows_out, sizeof rows_out, "%lld", (long long)t->rows_out);
    if (t->state == TASK_PENDING)
        fprintf(stderr, "  %-14s not run\n", t->name);
    else
        fprintf(stderr, "  %-14s %-8s rows %s -> %s, %.1f MB -> %.1f MB in %llu files, %.2f s\n",
                t->name, t->state == TASK_SKIPPED ? "skipped" : t->state == TASK_FAILED
                                                                    ? "FAILED"
                                                                    : "done",
                rows_in, rows_out, (double)t->bytes_in / 1e6, (double)t->bytes_out / 1e6,
                (unsigned long long)t->files_out, t->seconds);
}

/* Refuse to mix with an earlier run's results unless asked (--overwrite, --resume). */
static int check_output(const ldrun_spark_config *c, ld_error *error)
{
    static const char *const ours[] = {"output", "intermediate"};
    if (c->resume || c->overwrite)
        return LD_OK;
    for (int i = 0; i < 2; i++) {
        char *path = join_path(c->output_dir, ours[i]);
        struct stat st;
        int exists = path != NULL && stat(path, &st) == 0;
        int rc = exists ? ld_error_set(error, LD_ERR_INVALID,
                                       "%s holds the results of an earlier run: pass "
                                       "--overwrite to replace them or --resume to continue",
                                       path)
                        : LD_OK;
        free(path);
        if (rc != LD_OK)
            return rc;
    }
    return LD_OK;
}

static int make_dir(const char *path, ld_error *error)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return ld_error_set(error, LD_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    return LD_OK;
}

static int usage_error(const char *message)
{
    fprintf(stderr, "letsdata-runtime run: %s\nTry 'letsdata-runtime run --spark "
                    "MAPPER_AND_REDUCER --help'.\n",
            message);
    return 2;
}

int ldrun_spark_main(int argc, char **argv, const ld_registry *registry)
{
    ldrun_spark_config c;
    ld_error error = {0};
    int rc = ldrun_spark_config_parse(argc, argv, &c, &error);
    if (rc == LD_OK && c.help) {
        fputs(ldrun_spark_usage, stdout);
        ldrun_spark_config_free(&c);
        return 0;
    }
    if (rc == LD_OK)
        rc = check_output(&c, &error);
    if (rc != LD_OK) {
        ldrun_spark_config_free(&c);
        return usage_error(error.message);
    }
    int need_mapper = c.mode != LDRUN_SPARK_REDUCER_ONLY;
    int need_reducer = c.mode != LDRUN_SPARK_MAPPER_ONLY;
    const char *missing = need_mapper && !ld_registry_has(registry, LD_INTERFACE_SPARK_MAPPER)
                              ? "SparkMapperInterface"
                          : need_reducer &&
                                  !ld_registry_has(registry, LD_INTERFACE_SPARK_REDUCER)
                              ? "SparkReducerInterface"
                              : NULL;
    if (missing != NULL) {
        fprintf(stderr,
                "letsdata-runtime run: %s needs a %s and none is registered (load one with "
                "--handler)\n",
                ldrun_spark_mode_name(c.mode), missing);
        ldrun_spark_config_free(&c);
        return 2;
    }

    /* The engine reads these when a session starts: set them before any thread runs. */
    char *stats_dir = join_path(c.output_dir, ".spark-stats");
    char *intermediate = join_path(c.output_dir, "intermediate");
    char *output = join_path(c.output_dir, "output");
    if (stats_dir == NULL || intermediate == NULL || output == NULL)
        rc = ld_error_set(&error, LD_ERR_NOMEM, "out of memory");
    if (rc == LD_OK)
        rc = make_dir(stats_dir, &error);
    if (rc == LD_OK && c.bucket_dirs != NULL)
        setenv("LETSDATA_BUCKET_DIRS", c.bucket_dirs, 1);
    if (rc == LD_OK)
        setenv("LETSDATA_SPARK_STATS_DIR", stats_dir, 1);

    /* The tasks: mappers first, then the reducer. */
    size_t mappers = need_mapper ? c.input_count : 0;
    size_t count = mappers + (need_reducer ? 1 : 0);
    spark_task *tasks = rc == LD_OK ? calloc(count, sizeof *tasks) : NULL;
    const char **reducer_inputs = rc == LD_OK ? calloc(c.input_count + 1, sizeof *reducer_inputs)
                                              : NULL;
    json_t *intermediate_options = json_pack("{s:s}", "compression", "gzip");
    json_t *no_options = json_object();
    if (rc == LD_OK && (tasks == NULL || reducer_inputs == NULL ||
                        intermediate_options == NULL || no_options == NULL))
        rc = ld_error_set(&error, LD_ERR_NOMEM, "out of memory");
    if (rc == LD_OK && c.mode == LDRUN_SPARK_MAPPER_AND_REDUCER)
        rc = make_dir(intermediate, &error);
    if (rc == LD_OK && c.mode == LDRUN_SPARK_MAPPER_ONLY)
        rc = make_dir(output, &error);
    for (size_t i = 0; rc == LD_OK && i < mappers; i++) {
        spark_task *t = &tasks[i];
        snprintf(t->name, sizeof t->name, "mapper-%05zu", i);
        t->read_uris = (const char *const *)&c.inputs[i];
        t->read_count = 1;
        t->read_format = c.read_format;
        t->read_options = c.read_options;
        if (c.mode == LDRUN_SPARK_MAPPER_AND_REDUCER) {
            /* LetsData's intermediate files: parquet, gzip. */
            t->write_format = "parquet";
            t->write_options = intermediate_options;
            t->write_uri = join_path(intermediate, t->name);
        } else {
            t->write_format = c.write_format;
            t->write_options = c.write_options;
            t->write_uri = join_path(output, t->name);
        }
        snprintf(t->app_name, sizeof t->app_name, "letsdata-local-%s-%s", c.dataset_name,
                 t->name);
        reducer_inputs[i] = t->write_uri;
        if (t->write_uri == NULL)
            rc = ld_error_set(&error, LD_ERR_NOMEM, "out of memory");
    }
    if (rc == LD_OK && need_reducer) {
        spark_task *t = &tasks[count - 1];
        snprintf(t->name, sizeof t->name, "reducer");
        t->reducer = 1;
        if (c.mode == LDRUN_SPARK_MAPPER_AND_REDUCER) {
            t->read_uris = reducer_inputs;
            t->read_count = mappers;
            t->read_format = "parquet";
            t->read_options = no_options;
        } else {
            t->read_uris = (const char *const *)c.inputs;
            t->read_count = c.input_count;
            t->read_format = c.read_format;
            t->read_options = c.read_options;
        }
        t->write_format = c.write_format;
        t->write_options = c.write_options;
        t->write_uri = ld_strdup(output);
        snprintf(t->app_name, sizeof t->app_name, "letsdata-local-%s-reducer", c.dataset_name);
        if (t->write_uri == NULL)
            rc = ld_error_set(&error, LD_ERR_NOMEM, "out of memory");
    }
    /* Counters of an earlier attempt of the same task would be added to this one's. */
    for (size_t i = 0; rc == LD_OK && i < count; i++) {
        char *path = NULL;
        if (asprintf(&path, "%s/%s.json", stats_dir, tasks[i].app_name) >= 0) {
            if (!(c.resume && !tasks[i].reducer && has_success(tasks[i].write_uri)))
                unlink(path);
            free(path);
        }
    }

    double started = now_seconds();
    spark_run run = {registry, &c, tasks, mappers, 0, 0, !c.json_summary && isatty(2),
                     PTHREAD_MUTEX_INITIALIZER};
    if (rc == LD_OK && mappers > 0)
        run_parallel(&run, c.jobs);
    size_t failed_index = count;
    for (size_t i = 0; rc == LD_OK && i < mappers; i++)
        if (tasks[i].state == TASK_FAILED && failed_index == count)
            failed_index = i;
    if (rc == LD_OK && need_reducer && failed_index == count) {
        run.count = count;
        run.next = count - 1;
        run_one(&run, &tasks[count - 1]);
        if (tasks[count - 1].state == TASK_FAILED)
            failed_index = count - 1;
    }
    double seconds = now_seconds() - started;

    /* Summary: rows, bytes and time per task; totals. */
    json_int_t rows_in = 0, rows_out = 0;
    uint64_t bytes_in = 0, bytes_out = 0;
    int rows_known = 1;
    json_t *per_task = json_array();
    for (size_t i = 0; i < count && tasks != NULL; i++) {
        read_engine_stats(stats_dir, &tasks[i]);
        json_array_append_new(per_task, task_json(&tasks[i]));
        /* Totals: what the dataset read (mappers' input, or the reducer's in
         * REDUCER_ONLY) and what it finally wrote (its last stage's output). */
        int first_stage = need_mapper ? !tasks[i].reducer : 1;
        int last_stage = need_reducer ? tasks[i].reducer : 1;
        if (first_stage) {
            bytes_in += tasks[i].bytes_in;
            rows_known &= tasks[i].rows_in >= 0;
            rows_in += tasks[i].rows_in;
        }
        if (last_stage) {
            bytes_out += tasks[i].bytes_out;
            rows_known &= tasks[i].rows_out >= 0;
            rows_out += tasks[i].rows_out;
        }
    }
    if (rc == LD_OK && failed_index < count)
        rc = ld_error_set(&error, LD_ERR_HANDLER, "%s",
                          tasks[failed_index].error ? tasks[failed_index].error
                                                    : "a task failed");
    json_t *summary = json_pack("{s:s, s:o, s:I, s:I, s:f, s:s}", "mode",
                                ldrun_spark_mode_name(c.mode), "tasks", per_task, "bytesIn",
                                (json_int_t)bytes_in, "bytesOut", (json_int_t)bytes_out,
                                "seconds", seconds, "output", c.output_dir);
    if (summary != NULL && tasks != NULL) {
        json_object_set_new(summary, "rowsIn", rows_known ? json_integer(rows_in) : json_null());
        json_object_set_new(summary, "rowsOut",
                            rows_known ? json_integer(rows_out) : json_null());
        if (rc != LD_OK)
            json_object_set_new(summary, "failure", json_string(error.message));
        char *path = join_path(c.output_dir, "summary.json");
        if (path != NULL)
            ldrun_json_dump_file(summary, path, JSON_INDENT(2));
        free(path);
        if (c.json_summary) {
            ldrun_json_dumpf(summary, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
        }
    }
    json_decref(summary);
    if (!c.json_summary && tasks != NULL) {
        fprintf(stderr, "letsdata-runtime run: Spark %s, %zu mapper%s%s:\n",
                ldrun_spark_mode_name(c.mode), mappers, mappers == 1 ? "" : "s",
                need_reducer ? " and the reducer" : "");
        for (size_t i = 0; i < count; i++)
            print_task(&tasks[i]);
        fprintf(stderr, "letsdata-runtime run: %.1f MB in, %.1f MB out, %.2f s -> %s/\n",
                (double)bytes_in / 1e6, (double)bytes_out / 1e6, seconds, c.output_dir);
    }
    if (rc != LD_OK)
        fprintf(stderr, "letsdata-runtime run: %s\n", error.message);

    for (size_t i = 0; i < count && tasks != NULL; i++) {
        free(tasks[i].write_uri);
        free(tasks[i].error);
    }
    free(tasks);
    free(reducer_inputs);
    json_decref(intermediate_options);
    json_decref(no_options);
    free(stats_dir);
    free(intermediate);
    free(output);
    ldrun_spark_config_free(&c);
    return rc == LD_OK ? 0 : 1;
}
