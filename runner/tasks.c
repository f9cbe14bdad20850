/*
 * tasks.c - the runner's tasks (one per input file, as on LetsData): run them on N worker
 * threads, merge their results into the output files in input order, and checkpoint
 * after each merge so that `--resume` continues an interrupted run with no record lost
 * or written twice.
 *
 * Each task writes to its own files (OUT/.task-N-*.jsonl); only a finished task is
 * appended to the results, then the checkpoint records the task count, the result
 * files' lengths, the counts in total and per file. On resume the results are truncated
 * back to those lengths (dropping whatever a killed run appended after its last
 * checkpoint) and the run goes on with the next task.
 *
 * What the summary counts is what the result files hold: a task that fails is rolled
 * back (its files deleted, its counts not added); an append or a checkpoint that fails
 * (a full disk) truncates the results back to the last checkpoint. A run stopped by
 * SIGINT/SIGTERM keeps the tasks that finished and, for a JSON Lines task, the lines
 * done (the checkpoint says how many: `partialLines`); a single-file task in flight is
 * rolled back and runs again on resume.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <letsdata/log.h>

#include "runner_internal.h"
#include "vectorize.h"

typedef struct shared {
    const ldrun_plan *plan;
    ldrun_task *tasks;
    size_t count;
    size_t next;   /* next task to start */
    int stop;      /* a task failed: start no more */
    unsigned active; /* workers still running */
    pthread_mutex_t lock;
    pthread_cond_t finished;
    unsigned threads_per_task; /* fewer files than jobs: threads inside each file */
} shared;

static void task_prefix(char *out, size_t size, size_t index)
{
    snprintf(out, size, ".task-%zu-", index);
}

/* JSON Lines tasks checkpoint inside the file: DIR/.task-N-progress.json holds the
 * lines done, the task's own result files' lengths and its counts at that point. */
typedef struct line_checkpoint {
    char path[4200];
    const char *name; /* the input, to recognise it on resume */
} line_checkpoint;

static int save_lines(void *payload, unsigned long lines_done, ldrun_output *out,
                      ld_error *error)
{
    line_checkpoint *lc = payload;
    /* Nothing in flight may be covered by a checkpoint: --isolate's records, then the
     * vector stage's documents. */
    int rc = ldrun_child_flush(out, error);
    if (rc != LD_OK)
        return rc;
    if (out->vectors != NULL && ldvec_stage_flush(out->vectors, out, error) != LD_OK)
        return error->code;
    FILE *files[3] = {out->documents, out->errors, out->skipped};
    json_t *lengths = json_array();
    for (int f = 0; f < 3; f++) {
        if (fflush(files[f]) != 0) {
            json_decref(lengths);
            return ld_error_set(error, LD_ERR_IO, "cannot write %s: %s",
                                ldrun_output_path(out, files[f]), strerror(errno));
        }
        json_array_append_new(lengths, json_integer(ftell(files[f])));
    }
    json_t *state = json_pack("{s:s, s:I, s:o, s:o}", "input", lc->name, "lines",
                              (json_int_t)lines_done, "lengths", lengths, "counts",
                              ldrun_counts_json(&out->counts));
    char temporary[4300];
    snprintf(temporary, sizeof temporary, "%s.tmp", lc->path);
    int failed = state == NULL || json_dump_file(state, temporary, JSON_COMPACT) != 0 ||
                 rename(temporary, lc->path) != 0;
    json_decref(state);
    return failed ? ld_error_set(error, LD_ERR_IO, "cannot write %s: %s", lc->path,
                                 strerror(errno))
                  : LD_OK;
}

/* Resuming a JSON Lines task: restore its files and counts from its line checkpoint.
 * Returns the lines already done (0: start over). */
static unsigned long restore_lines(const ldrun_plan *plan, const line_checkpoint *lc,
                                   const char *prefix, unsigned long merged,
                                   ldrun_counts *counts)
{
    json_t *state = json_load_file(lc->path, 0, NULL);
    const char *input = json_string_value(json_object_get(state, "input"));
    json_t *lengths = json_object_get(state, "lengths");
    unsigned long lines = 0;
    /* A line checkpoint not past the lines already merged is stale (written before an
     * interruption merged them): start from the merged lines instead. */
    if (input != NULL && strcmp(input, lc->name) == 0 && json_array_size(lengths) == 3 &&
        (unsigned long)json_integer_value(json_object_get(state, "lines")) > merged) {
        int ok = 1;
        for (int f = 0; f < 3 && ok; f++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s%s", plan->output_dir, prefix,
                     ldrun_result_files[f]);
            ok = truncate(path, (off_t)json_integer_value(json_array_get(lengths, f))) == 0;
        }
        if (ok) {
            lines = (unsigned long)json_integer_value(json_object_get(state, "lines"));
            ldrun_counts_from_json(json_object_get(state, "counts"), counts);
        }
    }
    json_decref(state);
    return lines;
}

static void run_task(const ldrun_plan *plan, ldrun_task *task, size_t index, unsigned threads,
                     ldrun_child *child)
{
    char prefix[64], request_id[64];
    task_prefix(prefix, sizeof prefix, index);
    snprintf(request_id, sizeof request_id, "local-run-task-%zu", index);
    ldrun_output out = {0};
    out.continue_on_error = plan->continue_on_error;
    out.child = child;
    ld_context *ctx = ld_context_new(request_id, "local", "local", "local", "local");
    if (ctx == NULL || (plan->isolate && child == NULL)) {
        task->rc = ld_error_set(&task->error, LD_ERR_NOMEM, "out of memory");
        ld_context_free(ctx);
        return;
    }
    int jsonl = plan->interface_id != LD_INTERFACE_SINGLE_FILE_PARSER;
    line_checkpoint lc;
    snprintf(lc.path, sizeof lc.path, "%s/%sprogress.json", plan->output_dir, prefix);
    lc.name = task->name;
    ldrun_counts restored = {0};
    unsigned long skip = task->resume_lines, restored_lines = 0;
    if (jsonl && plan->resume)
        restored_lines = restore_lines(plan, &lc, prefix, skip, &restored);
    if (restored_lines > skip)
        skip = restored_lines;
    task->lines_done = skip;
    task->rc = ldrun_output_open(&out, plan->output_dir, prefix, restored_lines > 0,
                                 &task->error);
    out.counts = restored;
    if (task->rc == LD_OK && plan->vectorizer != NULL &&
        (out.vectors = ldvec_stage_new(plan->vectorizer,
                                       ld_registry_sagemaker_vectors_interface(plan->registry),
                                       ctx)) == NULL)
        task->rc = ld_error_set(&task->error, LD_ERR_NOMEM, "out of memory");
    if (task->rc == LD_OK) {
        if (plan->interface_id == LD_INTERFACE_SINGLE_FILE_PARSER) {
            const ld_single_file_parser *parser = ld_registry_single_file_parser(plan->registry);
            ldrun_file_job job = {parser, ctx, task->path, task->name, plan->file_type,
                                  plan->max_record_bytes, threads};
            out.counts.files++;
            task->rc = ldrun_parse_file(&job, &out, &task->error);
        } else {
            ldrun_jsonl_progress progress = {skip, save_lines, &lc, &task->lines_done};
            /* A file resumed mid-way was counted when its first part was merged. */
            out.counts.files = task->resume_lines > 0 ? 0 : 1;
            task->rc = ldrun_read_jsonl(plan->registry, plan->interface_id, task->path, ctx,
                                        &out, &progress, &task->error);
        }
        if (child != NULL) {
            /* --isolate: the answers of the records still in flight (also when a signal
             * stopped the task: those records finish). */
            if (task->rc == LD_OK || task->rc == LDRUN_STOPPED) {
                ld_error flush_error = {0};
                int flushed = ldrun_child_flush(&out, &flush_error);
                if (flushed != LD_OK) {
                    task->rc = flushed;
                    task->error = flush_error;
                }
            } else {
                ldrun_child_abandon(child);
            }
        }
        /* Finish the documents in flight: lines read count as done, also when a signal
         * stopped the task. */
        if ((task->rc == LD_OK || task->rc == LDRUN_STOPPED) && out.vectors != NULL) {
            ld_error flush_error = {0};
            if (ldvec_stage_flush(out.vectors, &out, &flush_error) != LD_OK) {
                task->rc = flush_error.code;
                task->error = flush_error;
            }
        }
        ld_error close_error = {0};
        if (ldrun_output_close(&out, &close_error) != LD_OK &&
            (task->rc == LD_OK || task->rc == LDRUN_STOPPED)) {
            task->rc = close_error.code;
            task->error = close_error;
        }
    }
    ldvec_stage_free(out.vectors);
    task->counts = out.counts;
    ld_context_free(ctx);
}

static void *worker(void *arg)
{
    shared *s = arg;
    ldrun_child *child = NULL;
    if (s->plan->isolate)
        child = ldrun_child_new(s->plan->registry, s->plan->continue_on_error,
                                s->plan->timeout_ms);
    pthread_mutex_lock(&s->lock);
    while (!s->stop && s->next < s->count && !ldrun_stop_signal()) {
        size_t index = s->next++;
        pthread_mutex_unlock(&s->lock);
        run_task(s->plan, &s->tasks[index], index, s->threads_per_task, child);
        pthread_mutex_lock(&s->lock);
        s->tasks[index].done = 1;
        if (s->tasks[index].rc != LD_OK)
            s->stop = 1;
        pthread_cond_broadcast(&s->finished);
    }
    s->active--;
    pthread_cond_broadcast(&s->finished); /* the merge may wait for a task never started */
    pthread_mutex_unlock(&s->lock);
    ldrun_child_free(child);
    return NULL;
}

/* The result files of the run and their lengths at the last checkpoint. */
typedef struct finals {
    int fd[3];          /* -1: not open; STDOUT_FILENO with --stdout */
    off_t kept[3];      /* lengths at the last checkpoint */
    char path[3][4096];
} finals;

static int write_fully(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

/* Append DIR/PREFIXname to result file @p f. */
static int append_task_file(const char *dir, const char *prefix, int f, finals *results,
                            ld_error *error)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s%s", dir, prefix, ldrun_result_files[f]);
    int from = open(path, O_RDONLY | O_CLOEXEC);
    if (from < 0)
        return ld_error_set(error, LD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    int rc = LD_OK;
    struct stat st;
    int regular = results->fd[f] != STDOUT_FILENO && fstat(results->fd[f], &st) == 0 &&
                  S_ISREG(st.st_mode);
    if (regular && st.st_size == 0 && rename(path, results->path[f]) == 0) {
        /* Nothing before it (the first task, or -j 1 on one file): the task's file
         * becomes the result file, nothing is copied. */
        close(from);
        int fd = open(results->path[f], O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0 || dup3(fd, results->fd[f], O_CLOEXEC) < 0)
            rc = ld_error_set(error, LD_ERR_IO, "cannot open %s: %s", results->path[f],
                              strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    /* Else in the kernel (no copy through user space), through a descriptor without
     * O_APPEND, which copy_file_range() refuses; where the files do not allow it (a
     * pipe, another filesystem), read and write. */
    ssize_t n = -1;
    int copied = 0, to = regular ? open(results->path[f], O_WRONLY | O_CLOEXEC) : -1;
    if (to >= 0) {
        loff_t at = st.st_size;
        while ((n = copy_file_range(from, NULL, to, &at, 1 << 30, 0)) > 0)
            copied = 1;
        int failure = errno;
        close(to);
        errno = failure;
        if (n < 0 && (copied || (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
                                 errno != EBADF && errno != EOPNOTSUPP))) {
            close(from);
            return ld_error_set(error, LD_ERR_IO, "cannot write %s: %s", results->path[f],
                                strerror(errno));
        }
        if (n == 0) {
            close(from);
            return LD_OK;
        }
    }
    char chunk[65536];
    while ((n = read(from, chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = ld_error_set(error, LD_ERR_IO, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        if (write_fully(results->fd[f], chunk, (size_t)n) != 0) {
            rc = ld_error_set(error, LD_ERR_IO, "cannot write %s: %s", results->path[f],
                              strerror(errno));
            break;
        }
    }
    close(from);
    return rc;
}

/* Drop whatever was appended after the last checkpoint (a failed append or checkpoint). */
static void roll_back(finals *results)
{
    for (int f = 0; f < 3; f++)
        if (results->fd[f] >= 0 && results->fd[f] != STDOUT_FILENO &&
            ftruncate(results->fd[f], results->kept[f]) != 0)
            LD_WARN(NULL, "cannot truncate %s back to %lld bytes: %s", results->path[f],
                        (long long)results->kept[f], strerror(errno));
}

static void discard_task_files(const char *dir, size_t index)
{
    char prefix[64], path[4096];
    task_prefix(prefix, sizeof prefix, index);
    for (int f = 0; f < 3; f++) {
        snprintf(path, sizeof path, "%s/%s%s", dir, prefix, ldrun_result_files[f]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/%sprogress.json", dir, prefix);
    unlink(path);
}

json_t *ldrun_counts_json(const ldrun_counts *c)
{
    static const ldrun_vector_counts no_vectors;
    json_t *json = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "files", (json_int_t)c->files,
                     "records", (json_int_t)c->records, "success", (json_int_t)c->success,
                     "error", (json_int_t)c->error, "skip", (json_int_t)c->skip,
                     "handlerFailures", (json_int_t)c->handler_failures, "bytesRead",
                     (json_int_t)c->bytes_read, "bytesOutsideRecords",
                     (json_int_t)(c->bytes_read - c->bytes_in_records));
    if (json != NULL && memcmp(&c->vectors, &no_vectors, sizeof no_vectors) != 0)
        json_object_set_new(json, "vectors", ldvec_counts_json(&c->vectors));
    return json;
}

void ldrun_counts_from_json(const json_t *json, ldrun_counts *c)
{
#define COUNT(key) ((uint64_t)json_integer_value(json_object_get(json, key)))
    c->files = COUNT("files");
    c->records = COUNT("records");
    c->success = COUNT("success");
    c->error = COUNT("error");
    c->skip = COUNT("skip");
    c->handler_failures = COUNT("handlerFailures");
    c->bytes_read = COUNT("bytesRead");
    c->bytes_in_records = c->bytes_read - COUNT("bytesOutsideRecords");
    ldvec_counts_from_json(json_object_get(json, "vectors"), &c->vectors);
#undef COUNT
}

static void add_counts(ldrun_counts *to, const ldrun_counts *c)
{
    to->files += c->files;
    to->records += c->records;
    to->success += c->success;
    to->error += c->error;
    to->skip += c->skip;
    to->handler_failures += c->handler_failures;
    to->bytes_read += c->bytes_read;
    to->bytes_in_records += c->bytes_in_records;
    ldvec_counts_add(&to->vectors, &c->vectors);
}

/* perFile entry @p index: add @p c to it (a file resumed mid-way) or append it. */
static void add_file_counts(json_t *files, size_t index, const char *name,
                            const ldrun_counts *c)
{
    ldrun_counts sum = {0};
    if (index < json_array_size(files))
        ldrun_counts_from_json(json_array_get(files, index), &sum);
    add_counts(&sum, c);
    json_t *entry = ldrun_counts_json(&sum);
    json_object_set_new(entry, "file", json_string(name));
    if (index < json_array_size(files))
        json_array_set_new(files, index, entry);
    else
        json_array_append_new(files, entry);
}

/* The inputs, to recognise the same run on --resume. */
static json_t *inputs_json(const ldrun_task *tasks, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < count; i++)
        json_array_append_new(list, json_string(tasks[i].name));
    return list;
}

/* What the checkpoint holds besides the inputs. */
typedef struct progress_state {
    size_t completed;
    unsigned long partial_lines; /* JSON Lines task `completed`: lines merged */
    ldrun_counts total;
    json_t *per_file;
    double seconds;
    unsigned runs;
} progress_state;

static int write_checkpoint(const ldrun_plan *plan, const ldrun_task *tasks, size_t count,
                            const finals *results, const progress_state *state,
                            ld_error *error)
{
    char path[4096], temporary[4200];
    snprintf(path, sizeof path, "%s/checkpoint.json", plan->output_dir);
    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    json_t *lengths = json_object();
    for (int f = 0; f < 3; f++)
        json_object_set_new(lengths, ldrun_result_files[f],
                            json_integer(results->fd[f] == STDOUT_FILENO ? 0
                                                                         : results->kept[f]));
    json_t *checkpoint = json_pack(
        "{s:o, s:I, s:I, s:o, s:o, s:O, s:f, s:i}", "inputs", inputs_json(tasks, count),
        "completed", (json_int_t)state->completed, "partialLines",
        (json_int_t)state->partial_lines, "lengths", lengths, "counts",
        ldrun_counts_json(&state->total), "perFile", state->per_file, "seconds",
        state->seconds, "runs", (int)state->runs);
    /* Write a new file and rename it over the old one: a kill leaves one or the other. */
    int failed = checkpoint == NULL || json_dump_file(checkpoint, temporary, JSON_COMPACT) != 0;
    if (!failed && rename(temporary, path) != 0)
        failed = 1;
    int saved = errno;
    json_decref(checkpoint);
    if (failed) {
        unlink(temporary);
        return ld_error_set(error, LD_ERR_IO, "cannot write the checkpoint %s: %s", path,
                            saved ? strerror(saved) : "write error");
    }
    return LD_OK;
}

/* --resume: check the checkpoint matches these inputs, restore where the run was. Writes
 * nothing: a refusal leaves the folder as it was. */
static int read_checkpoint(const ldrun_plan *plan, const ldrun_task *tasks, size_t count,
                           progress_state *state, finals *results, ld_error *error)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/checkpoint.json", plan->output_dir);
    json_error_t json_error;
    json_t *checkpoint = json_load_file(path, 0, &json_error);
    if (checkpoint == NULL)
        return ld_error_set(error, LD_ERR_NOT_FOUND,
                            "--resume: cannot read %s: %s (nothing to resume there: run "
                            "without --resume to start)",
                            path, json_error.text);
    json_t *inputs = inputs_json(tasks, count);
    int same = json_equal(inputs, json_object_get(checkpoint, "inputs"));
    json_decref(inputs);
    json_t *l = json_object_get(checkpoint, "lengths");
    json_t *per_file = json_object_get(checkpoint, "perFile");
    int rc = LD_OK;
    if (!same) {
        rc = ld_error_set(error, LD_ERR_INVALID,
                          "--resume: %s was written for other inputs (resume with the same "
                          "inputs, or start over with --overwrite or another --output)",
                          path);
    } else {
        state->completed = (size_t)json_integer_value(json_object_get(checkpoint, "completed"));
        state->partial_lines =
            (unsigned long)json_integer_value(json_object_get(checkpoint, "partialLines"));
        for (int f = 0; f < 3; f++)
            results->kept[f] =
                (off_t)json_integer_value(json_object_get(l, ldrun_result_files[f]));
        ldrun_counts_from_json(json_object_get(checkpoint, "counts"), &state->total);
        json_array_clear(state->per_file);
        if (json_is_array(per_file))
            json_array_extend(state->per_file, per_file);
        state->seconds = json_number_value(json_object_get(checkpoint, "seconds"));
        state->runs = (unsigned)json_integer_value(json_object_get(checkpoint, "runs"));
        if (state->runs == 0)
            state->runs = 1;
        if (state->completed > count ||
            (state->completed == count && state->partial_lines > 0))
            rc = ld_error_set(error, LD_ERR_INVALID, "--resume: %s is damaged", path);
        for (int f = 0; f < 3 && rc == LD_OK; f++) {
            /* The results must still hold what the checkpoint counted. */
            char result_path[4096];
            struct stat st;
            snprintf(result_path, sizeof result_path, "%s/%s", plan->output_dir,
                     ldrun_result_files[f]);
            int on_stdout = f == 0 && plan->documents_to_stdout;
            if (!on_stdout && results->kept[f] > 0 &&
                (stat(result_path, &st) != 0 || st.st_size < results->kept[f]))
                rc = ld_error_set(error, LD_ERR_INVALID,
                                  "--resume: %s is shorter than the checkpoint says (%lld "
                                  "bytes): the results were changed since",
                                  result_path, (long long)results->kept[f]);
        }
    }
    json_decref(checkpoint);
    return rc;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_finals(const ldrun_plan *plan, finals *results, ld_error *error)
{
    for (int f = 0; f < 3; f++) {
        snprintf(results->path[f], sizeof results->path[f], "%s/%s", plan->output_dir,
                 ldrun_result_files[f]);
        if (f == 0 && plan->documents_to_stdout) {
            fflush(stdout);
            results->fd[f] = STDOUT_FILENO; /* a stream: nothing to truncate or resume */
            continue;
        }
        int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (plan->resume ? 0 : O_TRUNC);
        results->fd[f] = open(results->path[f], flags, 0666);
        if (results->fd[f] < 0)
            return ld_error_set(error, LD_ERR_IO, "cannot create %s: %s", results->path[f],
                                strerror(errno));
        /* Resuming: drop what a killed run appended after its last checkpoint. */
        if (plan->resume && ftruncate(results->fd[f], results->kept[f]) != 0)
            return ld_error_set(error, LD_ERR_IO, "--resume: cannot truncate %s: %s",
                                results->path[f], strerror(errno));
    }
    return LD_OK;
}

/* A folder that cannot be written to at the start is left as it was found (runner.c
 * checked it held no results). */
static void remove_finals(const ldrun_plan *plan, finals *results)
{
    for (int f = 0; f < 3; f++)
        if (results->fd[f] >= 0 && results->fd[f] != STDOUT_FILENO) {
            close(results->fd[f]);
            results->fd[f] = -1;
            unlink(results->path[f]);
        }
    char path[4096];
    snprintf(path, sizeof path, "%s/checkpoint.json", plan->output_dir);
    unlink(path);
}

/* Resuming: task files of a killed run that no task will use. Those of merged tasks (a
 * kill between the checkpoint and their removal) go, and so do those of single-file
 * tasks, which start over; a JSON Lines task's files carry its line checkpoint. */
static void remove_stale_task_files(const ldrun_plan *plan, size_t completed)
{
    DIR *d = opendir(plan->output_dir);
    struct dirent *entry;
    while (d != NULL && (entry = readdir(d)) != NULL) {
        unsigned long index;
        char rest[64];
        if (sscanf(entry->d_name, ".task-%lu-%63s", &index, rest) != 2)
            continue;
        if (index < completed || plan->interface_id == LD_INTERFACE_SINGLE_FILE_PARSER) {
            char path[4400];
            snprintf(path, sizeof path, "%s/%s", plan->output_dir, entry->d_name);
            unlink(path);
        }
    }
    if (d != NULL)
        closedir(d);
}

int ldrun_run_tasks(const ldrun_plan *plan, ldrun_task *tasks, size_t count,
                    ldrun_run_result *result, ld_error *error)
{
    memset(result, 0, sizeof *result);
    double start_time = now_seconds();
    progress_state state = {0};
    state.per_file = json_array();
    state.runs = 1;
    finals results = {{-1, -1, -1}, {0, 0, 0}, {"", "", ""}};
    int rc = state.per_file != NULL ? LD_OK
                                    : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    if (rc == LD_OK && plan->resume)
        rc = read_checkpoint(plan, tasks, count, &state, &results, error);
    if (rc == LD_OK && plan->resume)
        state.runs++;
    if (rc == LD_OK)
        rc = open_finals(plan, &results, error);
    size_t completed = state.completed;
    if (rc == LD_OK && state.partial_lines > 0)
        tasks[completed].resume_lines = state.partial_lines;
    double earlier_seconds = state.seconds;
    if (rc == LD_OK && !plan->resume)
        rc = write_checkpoint(plan, tasks, count, &results, &state, error);
    if (rc == LD_OK)
        result->started = 1;
    else if (!plan->resume)
        remove_finals(plan, &results); /* cannot write there: leave it as it was */
    if (rc == LD_OK && plan->resume)
        remove_stale_task_files(plan, completed);

    shared s = {plan, tasks, count, completed, 0, 0, PTHREAD_MUTEX_INITIALIZER,
                PTHREAD_COND_INITIALIZER};
    unsigned jobs = plan->jobs ? plan->jobs : 1;
    /* Fewer files than jobs: the spare threads work inside the files (reader.h). */
    size_t left = count - completed;
    if (left > 0 && left < jobs) {
        s.threads_per_task = jobs / (unsigned)left;
        jobs = (unsigned)left;
    } else {
        s.threads_per_task = 1;
    }
    pthread_t threads[64];
    unsigned started = 0;
    pthread_mutex_lock(&s.lock);
    for (; rc == LD_OK && started < jobs && started < 64; started++) {
        if (pthread_create(&threads[started], NULL, worker, &s) != 0)
            break;
        s.active++;
    }
    pthread_mutex_unlock(&s.lock);
    if (rc == LD_OK && started == 0)
        rc = ld_error_set(error, LD_ERR_INTERNAL, "cannot start a worker thread");

    /* Merge in input order, whatever order the tasks finish in. */
    for (size_t i = completed; rc == LD_OK && i < count; i++) {
        pthread_mutex_lock(&s.lock);
        while (!tasks[i].done && !(i >= s.next && s.active == 0))
            pthread_cond_wait(&s.finished, &s.lock);
        int done = tasks[i].done;
        pthread_mutex_unlock(&s.lock);
        if (!done) { /* stopped by a signal before this task started */
            rc = ld_error_set(error, LDRUN_STOPPED, "stopped by a signal");
            break;
        }
        ldrun_task *task = &tasks[i];
        /* Stopped mid-way, a JSON Lines task keeps the lines it finished. */
        int partial = task->rc == LDRUN_STOPPED &&
                      plan->interface_id != LD_INTERFACE_SINGLE_FILE_PARSER &&
                      task->lines_done > task->resume_lines;
        if (task->rc != LD_OK && !partial) {
            /* A failed task keeps nothing: --resume runs it again from its start. */
            *error = task->error;
            rc = task->rc;
            if (rc != LDRUN_STOPPED) {
                ldrun_counts none = {0};
                add_file_counts(state.per_file, i, task->name, &none);
                json_object_set_new(json_array_get(state.per_file, i), "failure",
                                    json_string(task->error.message));
                result->failed = task->name;
            }
            discard_task_files(plan->output_dir, i);
            break;
        }
        char prefix[64];
        task_prefix(prefix, sizeof prefix, i);
        for (int f = 0; f < 3 && rc == LD_OK; f++)
            rc = append_task_file(plan->output_dir, prefix, f, &results, error);
        progress_state next = state;
        next.per_file = json_deep_copy(state.per_file);
        next.completed = partial ? i : i + 1;
        next.partial_lines = partial ? task->lines_done : 0;
        next.seconds = earlier_seconds + (now_seconds() - start_time);
        add_counts(&next.total, &task->counts);
        add_file_counts(next.per_file, i, task->name, &task->counts);
        finals appended = results;
        for (int f = 0; f < 3 && rc == LD_OK; f++)
            if (results.fd[f] != STDOUT_FILENO &&
                (appended.kept[f] = lseek(results.fd[f], 0, SEEK_END)) < 0)
                rc = ld_error_set(error, LD_ERR_IO, "cannot write %s: %s", results.path[f],
                                  strerror(errno));
        if (rc == LD_OK)
            rc = write_checkpoint(plan, tasks, count, &appended, &next, error);
        if (rc != LD_OK) {
            /* Nothing of this task is kept: the results end where the checkpoint says. */
            roll_back(&results);
            json_decref(next.per_file);
            result->failed = task->name;
            discard_task_files(plan->output_dir, i);
            break;
        }
        json_decref(state.per_file);
        state = next;
        results = appended;
        discard_task_files(plan->output_dir, i); /* its line checkpoint, if any */
        if (partial) {
            *error = task->error;
            rc = LDRUN_STOPPED;
        }
        if (plan->progress) {
            double elapsed = now_seconds() - start_time;
            if (elapsed <= 0)
                elapsed = 1e-9;
            fprintf(stderr,
                    "\r\033[Kletsdata-runtime run: %zu/%zu files, %llu records (%.0f/s), "
                    "%.1f MB (%.1f MB/s)",
                    state.completed, count, (unsigned long long)state.total.records,
                    (double)state.total.records / elapsed, (double)state.total.bytes_read / 1e6,
                    (double)state.total.bytes_read / 1e6 / elapsed);
        }
    }
    if (plan->progress)
        fputc('\n', stderr);
    pthread_mutex_lock(&s.lock);
    s.stop = 1;
    pthread_mutex_unlock(&s.lock);
    for (unsigned t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    /* Tasks that ran past a failure or a stop leave files behind: remove them. */
    for (size_t i = state.completed; rc != LD_OK && result->started && i < count; i++)
        if (tasks[i].done)
            discard_task_files(plan->output_dir, i);
    for (int f = 0; f < 3; f++)
        if (results.fd[f] >= 0 && results.fd[f] != STDOUT_FILENO && close(results.fd[f]) != 0 &&
            rc == LD_OK)
            rc = ld_error_set(error, LD_ERR_IO, "cannot write %s: %s", results.path[f],
                              strerror(errno));
    result->total = state.total;
    result->per_file = state.per_file;
    result->completed = state.completed;
    result->seconds = earlier_seconds;
    result->runs = state.runs;
    if (rc == LDRUN_STOPPED && ldrun_stop_signal() == 0)
        rc = LD_OK; /* cannot happen: only a signal stops tasks */
    return rc;
}
