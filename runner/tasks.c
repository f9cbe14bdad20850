/*
 * tasks.c - the runner's tasks (one per input file, as on LetsData): run them on N worker
 * threads, merge their results into the output files in input order, and checkpoint
 * after each merge so that `--resume` continues an interrupted run with no record lost
 * or written twice.
 *
 * Each task writes to its own files (OUT/.task-N-*.jsonl); only a finished task is
 * appended to the results, then the checkpoint records the task count and the result
 * files' lengths. On resume the results are truncated back to those lengths (dropping
 * whatever a killed run appended after its last checkpoint) and the run goes on with the
 * next task.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runner_internal.h"

typedef struct shared {
    const ldrun_plan *plan;
    ldrun_task *tasks;
    size_t count;
    size_t next;   /* next task to start */
    int stop;      /* a task failed: start no more */
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
    FILE *files[3] = {out->documents, out->errors, out->skipped};
    json_t *lengths = json_array();
    for (int f = 0; f < 3; f++) {
        if (fflush(files[f]) != 0)
            return ld_error_set(error, LD_ERR_IO, "cannot write the results: %s",
                                strerror(errno));
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
                                   const char *prefix, ldrun_counts *counts)
{
    json_t *state = json_load_file(lc->path, 0, NULL);
    const char *input = json_string_value(json_object_get(state, "input"));
    json_t *lengths = json_object_get(state, "lengths");
    unsigned long lines = 0;
    if (input != NULL && strcmp(input, lc->name) == 0 && json_array_size(lengths) == 3) {
        int ok = 1;
        for (int f = 0; f < 3 && ok; f++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s%s", plan->output_dir, prefix,
                     ldrun_result_files[f]);
            ok = truncate(path, (off_t)json_integer_value(json_array_get(lengths, f))) == 0;
        }
        if (ok) {
            json_t *c = json_object_get(state, "counts");
            lines = (unsigned long)json_integer_value(json_object_get(state, "lines"));
            counts->records = (uint64_t)json_integer_value(json_object_get(c, "records"));
            counts->success = (uint64_t)json_integer_value(json_object_get(c, "success"));
            counts->error = (uint64_t)json_integer_value(json_object_get(c, "error"));
            counts->skip = (uint64_t)json_integer_value(json_object_get(c, "skip"));
            counts->handler_failures =
                (uint64_t)json_integer_value(json_object_get(c, "handlerFailures"));
            counts->bytes_read = (uint64_t)json_integer_value(json_object_get(c, "bytesRead"));
            counts->bytes_in_records = counts->bytes_read;
        }
    }
    json_decref(state);
    return lines;
}

static void run_task(const ldrun_plan *plan, ldrun_task *task, size_t index, unsigned threads)
{
    char prefix[64], request_id[64];
    task_prefix(prefix, sizeof prefix, index);
    snprintf(request_id, sizeof request_id, "local-run-task-%zu", index);
    ldrun_output out = {0};
    out.continue_on_error = plan->continue_on_error;
    ld_context *ctx = ld_context_new(request_id, "local", "local", "local", "local");
    if (ctx == NULL) {
        task->rc = ld_error_set(&task->error, LD_ERR_NOMEM, "out of memory");
        return;
    }
    int jsonl = plan->interface_id != LD_INTERFACE_SINGLE_FILE_PARSER;
    line_checkpoint lc;
    snprintf(lc.path, sizeof lc.path, "%s/%sprogress.json", plan->output_dir, prefix);
    lc.name = task->name;
    ldrun_counts restored = {0};
    unsigned long skip = jsonl && plan->resume ? restore_lines(plan, &lc, prefix, &restored) : 0;
    task->rc = ldrun_output_open(&out, plan->output_dir, prefix, skip > 0, &task->error);
    out.counts = restored;
    if (task->rc == LD_OK) {
        if (plan->interface_id == LD_INTERFACE_SINGLE_FILE_PARSER) {
            const ld_single_file_parser *parser = ld_registry_single_file_parser(plan->registry);
            ldrun_file_job job = {parser, ctx, task->path, task->name, plan->file_type,
                                  plan->max_record_bytes, threads};
            out.counts.files++;
            task->rc = ldrun_parse_file(&job, &out, &task->error);
        } else {
            ldrun_jsonl_progress progress = {skip, save_lines, &lc};
            out.counts.files = 1;
            task->rc = ldrun_read_jsonl(plan->registry, plan->interface_id, task->path, ctx,
                                        &out, &progress, &task->error);
        }
        ld_error close_error = {0};
        if (ldrun_output_close(&out, &close_error) != LD_OK && task->rc == LD_OK) {
            task->rc = close_error.code;
            task->error = close_error;
        }
    }
    task->counts = out.counts;
    ld_context_free(ctx);
}

static void *worker(void *arg)
{
    shared *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop && s->next < s->count) {
        size_t index = s->next++;
        pthread_mutex_unlock(&s->lock);
        run_task(s->plan, &s->tasks[index], index, s->threads_per_task);
        pthread_mutex_lock(&s->lock);
        s->tasks[index].done = 1;
        if (s->tasks[index].rc != LD_OK)
            s->stop = 1;
        pthread_cond_broadcast(&s->finished);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Append DIR/PREFIXname to @p to and delete it. */
static int append_and_remove(const char *dir, const char *prefix, const char *name, FILE *to,
                             ld_error *error)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s%s", dir, prefix, name);
    FILE *from = fopen(path, "rb");
    if (from == NULL)
        return ld_error_set(error, LD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    char chunk[65536];
    size_t n;
    int rc = LD_OK;
    while ((n = fread(chunk, 1, sizeof chunk, from)) > 0)
        if (fwrite(chunk, 1, n, to) != n) {
            rc = ld_error_set(error, LD_ERR_IO, "cannot append to the results: %s",
                              strerror(errno));
            break;
        }
    fclose(from);
    unlink(path);
    return rc;
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
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "files", (json_int_t)c->files,
                     "records", (json_int_t)c->records, "success", (json_int_t)c->success,
                     "error", (json_int_t)c->error, "skip", (json_int_t)c->skip,
                     "handlerFailures", (json_int_t)c->handler_failures, "bytesRead",
                     (json_int_t)c->bytes_read, "bytesOutsideRecords",
                     (json_int_t)(c->bytes_read - c->bytes_in_records));
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
}

/* The inputs, to recognise the same run on --resume. */
static json_t *inputs_json(const ldrun_task *tasks, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < count; i++)
        json_array_append_new(list, json_string(tasks[i].name));
    return list;
}

static int write_checkpoint(const ldrun_plan *plan, const ldrun_task *tasks, size_t count,
                            size_t completed, FILE *const *finals, const ldrun_counts *total,
                            ld_error *error)
{
    char path[4096], temporary[4200];
    snprintf(path, sizeof path, "%s/checkpoint.json", plan->output_dir);
    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    json_t *lengths = json_object();
    for (int f = 0; f < 3; f++)
        json_object_set_new(lengths, ldrun_result_files[f],
                            json_integer(finals[f] == stdout ? 0 : ftell(finals[f])));
    json_t *checkpoint = json_pack("{s:o, s:I, s:o, s:o}", "inputs", inputs_json(tasks, count),
                                   "completed", (json_int_t)completed, "lengths", lengths,
                                   "counts", ldrun_counts_json(total));
    /* Write a new file and rename it over the old one: a kill leaves one or the other. */
    if (checkpoint == NULL || json_dump_file(checkpoint, temporary, JSON_COMPACT) != 0 ||
        rename(temporary, path) != 0) {
        json_decref(checkpoint);
        return ld_error_set(error, LD_ERR_IO, "cannot write the checkpoint %s: %s", path,
                            strerror(errno));
    }
    json_decref(checkpoint);
    return LD_OK;
}

/* --resume: check the checkpoint matches these inputs, restore counts and lengths. */
static int read_checkpoint(const ldrun_plan *plan, const ldrun_task *tasks, size_t count,
                           size_t *completed, long lengths[3], ldrun_counts *total,
                           ld_error *error)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/checkpoint.json", plan->output_dir);
    json_error_t json_error;
    json_t *checkpoint = json_load_file(path, 0, &json_error);
    if (checkpoint == NULL)
        return ld_error_set(error, LD_ERR_NOT_FOUND, "--resume: cannot read %s: %s", path,
                            json_error.text);
    json_t *inputs = inputs_json(tasks, count);
    int same = json_equal(inputs, json_object_get(checkpoint, "inputs"));
    json_decref(inputs);
    json_t *c = json_object_get(checkpoint, "counts");
    json_t *l = json_object_get(checkpoint, "lengths");
    int rc = LD_OK;
    if (!same)
        rc = ld_error_set(error, LD_ERR_INVALID,
                          "--resume: %s was written for other inputs; run without --resume "
                          "to start over",
                          path);
    else {
        *completed = (size_t)json_integer_value(json_object_get(checkpoint, "completed"));
        for (int f = 0; f < 3; f++)
            lengths[f] = (long)json_integer_value(json_object_get(l, ldrun_result_files[f]));
        total->files = (uint64_t)json_integer_value(json_object_get(c, "files"));
        total->records = (uint64_t)json_integer_value(json_object_get(c, "records"));
        total->success = (uint64_t)json_integer_value(json_object_get(c, "success"));
        total->error = (uint64_t)json_integer_value(json_object_get(c, "error"));
        total->skip = (uint64_t)json_integer_value(json_object_get(c, "skip"));
        total->handler_failures =
            (uint64_t)json_integer_value(json_object_get(c, "handlerFailures"));
        total->bytes_read = (uint64_t)json_integer_value(json_object_get(c, "bytesRead"));
        total->bytes_in_records =
            total->bytes_read -
            (uint64_t)json_integer_value(json_object_get(c, "bytesOutsideRecords"));
        if (*completed > count)
            rc = ld_error_set(error, LD_ERR_INVALID, "--resume: %s is damaged", path);
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

int ldrun_run_tasks(const ldrun_plan *plan, ldrun_task *tasks, size_t count,
                    ldrun_counts *total, json_t **per_file, ld_error *error)
{
    memset(total, 0, sizeof *total);
    double start_time = now_seconds();
    json_t *files = json_array();
    size_t completed = 0;
    long lengths[3] = {0, 0, 0};
    FILE *finals[3] = {NULL, NULL, NULL};
    int rc = LD_OK;
    if (plan->resume)
        rc = read_checkpoint(plan, tasks, count, &completed, lengths, total, error);
    for (int f = 0; f < 3 && rc == LD_OK; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", plan->output_dir, ldrun_result_files[f]);
        /* Resuming: drop what a killed run appended after its last checkpoint. */
        if (f == 0 && plan->documents_to_stdout) {
            finals[f] = stdout; /* a stream: nothing to truncate or resume */
            continue;
        }
        if (plan->resume && truncate(path, lengths[f]) != 0)
            rc = ld_error_set(error, LD_ERR_IO, "--resume: cannot truncate %s: %s", path,
                              strerror(errno));
        else if ((finals[f] = fopen(path, plan->resume ? "ab" : "wb")) == NULL)
            rc = ld_error_set(error, LD_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    }
    if (rc == LD_OK && !plan->resume)
        rc = write_checkpoint(plan, tasks, count, 0, finals, total, error);

    shared s = {plan, tasks, count, completed, 0, PTHREAD_MUTEX_INITIALIZER,
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
    for (; rc == LD_OK && started < jobs && started < 64; started++)
        if (pthread_create(&threads[started], NULL, worker, &s) != 0)
            break;
    if (rc == LD_OK && started == 0)
        rc = ld_error_set(error, LD_ERR_INTERNAL, "cannot start a worker thread");

    /* Merge in input order, whatever order the tasks finish in. */
    for (size_t i = completed; rc == LD_OK && i < count; i++) {
        pthread_mutex_lock(&s.lock);
        while (!tasks[i].done)
            pthread_cond_wait(&s.finished, &s.lock);
        pthread_mutex_unlock(&s.lock);
        add_counts(total, &tasks[i].counts);
        json_t *file_counts = ldrun_counts_json(&tasks[i].counts);
        json_object_set_new(file_counts, "file", json_string(tasks[i].name));
        json_array_append_new(files, file_counts);
        if (tasks[i].rc != LD_OK) {
            /* A failed task keeps nothing: --resume runs it again from its start. */
            *error = tasks[i].error;
            rc = tasks[i].rc;
            discard_task_files(plan->output_dir, i);
            break;
        }
        char prefix[64];
        task_prefix(prefix, sizeof prefix, i);
        for (int f = 0; f < 3 && rc == LD_OK; f++)
            rc = append_and_remove(plan->output_dir, prefix, ldrun_result_files[f], finals[f],
                                   error);
        for (int f = 0; f < 3 && rc == LD_OK; f++)
            if (fflush(finals[f]) != 0)
                rc = ld_error_set(error, LD_ERR_IO, "cannot write the results: %s",
                                  strerror(errno));
        if (rc == LD_OK)
            rc = write_checkpoint(plan, tasks, count, i + 1, finals, total, error);
        if (rc == LD_OK)
            discard_task_files(plan->output_dir, i); /* its line checkpoint, if any */
        if (plan->progress) {
            double elapsed = now_seconds() - start_time;
            if (elapsed <= 0)
                elapsed = 1e-9;
            fprintf(stderr,
                    "\r\033[Kletsdata-runtime run: %zu/%zu files, %llu records (%.0f/s), "
                    "%.1f MB (%.1f MB/s)",
                    i + 1, count, (unsigned long long)total->records,
                    (double)total->records / elapsed, (double)total->bytes_read / 1e6,
                    (double)total->bytes_read / 1e6 / elapsed);
        }
    }
    if (plan->progress)
        fputc('\n', stderr);
    pthread_mutex_lock(&s.lock);
    s.stop = 1;
    pthread_mutex_unlock(&s.lock);
    for (unsigned t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    /* Tasks that ran past a failure leave files behind: remove them. */
    for (size_t i = completed; i < count; i++)
        if (tasks[i].done && (rc != LD_OK))
            discard_task_files(plan->output_dir, i);
    for (int f = 0; f < 3; f++)
        if (finals[f] != NULL && finals[f] != stdout && fclose(finals[f]) != 0 && rc == LD_OK)
            rc = ld_error_set(error, LD_ERR_IO, "cannot write the results: %s", strerror(errno));
    if (per_file != NULL)
        *per_file = files;
    else
        json_decref(files);
    return rc;
}
