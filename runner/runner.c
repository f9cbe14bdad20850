/*
 * runner.c - `letsdata-runtime run`: run a dataset locally with the loaded handlers
 * (docs/local-runner.md). Options, the loop over inputs, and the summary.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runner.h"
#include "runner_internal.h"
#include "spark_tasks.h"
#include "vectorize.h"

static const char usage[] =
    "Usage: letsdata-runtime [--handler LIB.so] run [OPTIONS] INPUT...\n"
    "\n"
    "Run the loaded handler over local data, as LetsData would over S3 files, queues,\n"
    "streams or tables (see docs/local-runner.md).\n"
    "\n"
    "Options:\n"
    "  --reader NAME          single-file (default), queue, kinesis, dynamodb-streams,\n"
    "                         dynamodb-table\n"
    "  --manifest FILE        files to read: a plain list, or a dataset configuration\n"
    "                         JSON (S3ReaderTextManifestFile); INPUTs may be omitted\n"
    "  --bucket-dir B=DIR     read S3 bucket B from DIR (repeatable)\n"
    "  --file-type TYPE       the s3FileType passed to the parser (default: its\n"
    "                         getS3FileType)\n"
    "  --output DIR           results directory (default: letsdata-output); a folder\n"
    "                         that holds a run's results is not replaced without\n"
    "                         --overwrite (or continued with --resume)\n"
    "  --overwrite            replace the results of an earlier run in DIR\n"
    "  --max-record-bytes N   longest record accepted (default 67108864)\n"
    "  --continue-on-error    record handler failures as errors and go on\n"
    "  --isolate              call the handler in child processes: a record that\n"
    "                         crashes it is a handler failure naming the signal\n"
    "  --timeout-ms N         with --isolate: a record that takes longer is a handler\n"
    "                         failure\n"
    "  -j, --jobs N           read N files at once (default 1; handlers must then be\n"
    "                         thread-safe); results keep the input order\n"
    "  --resume               continue an interrupted run from DIR/checkpoint.json\n"
    "  --stdout               write the documents to stdout instead of DIR/documents.jsonl\n"
    "  --json                 print the summary as JSON on stdout\n"
    "  --spark MODE           run a Spark dataset (MAPPER_AND_REDUCER, MAPPER_ONLY,\n"
    "                         REDUCER_ONLY; see `run --spark MODE --help`)\n"
    "  -h, --help             this help\n"
    "\n"
    "INPUT: for single-file, files (gzip or plain); for the other readers, JSON Lines\n"
    "files whose lines are the `data` of the reader's requests (- for stdin).\n"
    "Output: DIR/documents.jsonl (SUCCESS, default serialization or the document's\n"
    "serializer), DIR/errors.jsonl (ErrorDocs), DIR/skipped.jsonl (SkipDocs),\n"
    "DIR/summary.json.\n"
    "Exit status: 0 done, 1 failed (resume after fixing the cause), 2 usage error or\n"
    "refused (nothing changed), 128+N stopped by signal N (SIGINT, SIGTERM; resumable).\n";

static const struct {
    const char *name;
    ld_interface id;
} readers[] = {
    {"single-file", LD_INTERFACE_SINGLE_FILE_PARSER},
    {"queue", LD_INTERFACE_QUEUE_MESSAGE_READER},
    {"kinesis", LD_INTERFACE_KINESIS_RECORD_READER},
    {"dynamodb-streams", LD_INTERFACE_DYNAMODB_STREAMS_RECORD_READER},
    {"dynamodb-table", LD_INTERFACE_DYNAMODB_TABLE_ITEM_READER},
};

static int usage_error(const char *message, const char *arg)
{
    fprintf(stderr, "letsdata-runtime run: %s%s%s\nTry 'letsdata-runtime run --help'.\n",
            message, arg ? " " : "", arg ? arg : "");
    return 2;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The files a run writes in its output folder (besides .task-* files). */
static const char *const run_files[] = {"documents.jsonl", "errors.jsonl", "skipped.jsonl",
                                        "summary.json", "checkpoint.json",
                                        "checkpoint.json.tmp", "summary.json.tmp"};

/* Does @p dir hold a run's results? Names the first one found in @p found. */
static int holds_results(const char *dir, char *found, size_t size)
{
    for (size_t i = 0; i < sizeof run_files / sizeof run_files[0]; i++) {
        snprintf(found, size, "%s/%s", dir, run_files[i]);
        if (access(found, F_OK) == 0)
            return 1;
    }
    DIR *d = opendir(dir);
    struct dirent *entry;
    int any = 0;
    while (d != NULL && !any && (entry = readdir(d)) != NULL)
        if (strncmp(entry->d_name, ".task-", 6) == 0) {
            snprintf(found, size, "%s/%s", dir, entry->d_name);
            any = 1;
        }
    if (d != NULL)
        closedir(d);
    return any;
}

/* --overwrite: delete an earlier run's files, and only those. */
static int remove_results(const char *dir, ld_error *error)
{
    char path[4400];
    for (size_t i = 0; i < sizeof run_files / sizeof run_files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, run_files[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            return ld_error_set(error, LD_ERR_IO, "--overwrite: cannot delete %s: %s", path,
                                strerror(errno));
    }
    DIR *d = opendir(dir);
    struct dirent *entry;
    int rc = LD_OK;
    while (d != NULL && rc == LD_OK && (entry = readdir(d)) != NULL) {
        if (strncmp(entry->d_name, ".task-", 6) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
        if (unlink(path) != 0 && errno != ENOENT)
            rc = ld_error_set(error, LD_ERR_IO, "--overwrite: cannot delete %s: %s", path,
                              strerror(errno));
    }
    if (d != NULL)
        closedir(d);
    return rc;
}

/* Append @p arg to @p out quoted for a POSIX shell when it needs to be. */
static void append_quoted(char *out, size_t size, const char *arg)
{
    size_t n = strlen(out);
    int plain = *arg != '\0';
    for (const char *p = arg; *p && plain; p++)
        plain = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-",
                       *p) != NULL;
    if (n + 1 < size && n > 0)
        out[n++] = ' ';
    if (!plain && n + 1 < size)
        out[n++] = '\'';
    for (const char *p = arg; *p && n + 5 < size; p++) {
        if (*p == '\'' && !plain) {
            memcpy(out + n, "'\\''", 4);
            n += 4;
        } else {
            out[n++] = *p;
        }
    }
    if (!plain && n + 1 < size)
        out[n++] = '\'';
    out[n < size ? n : size - 1] = '\0';
}

/*
 * The command that resumes this run: the process's own command line (so the program and
 * its --handler options are exactly as typed) with --resume after `run` and without
 * --overwrite. Called in-process (not from the executable), the program is
 * "letsdata-runtime".
 */
static void resume_command(int argc, char **argv, char *out, size_t size)
{
    out[0] = '\0';
    char *cmdline = NULL;
    size_t length = 0;
    FILE *f = fopen("/proc/self/cmdline", "rb");
    if (f != NULL) {
        ssize_t n = getdelim(&cmdline, &length, EOF, f);
        length = n > 0 ? (size_t)n : 0;
        fclose(f);
    }
    /* Split into arguments; the run's own are the last argc of them. */
    const char *args[512] = {NULL};
    int count = 0;
    if (cmdline != NULL)
        for (size_t at = 0; at < length && count < 512; at += strlen(cmdline + at) + 1)
            args[count++] = cmdline + at;
    int prefix = count - argc, same = prefix > 0;
    for (int i = 0; same && i < argc; i++)
        same = strcmp(args[prefix + i], argv[i]) == 0;
    if (same)
        for (int i = 0; i < prefix; i++)
            append_quoted(out, size, args[i]);
    else
        append_quoted(out, size, "letsdata-runtime");
    append_quoted(out, size, argv[0]);
    append_quoted(out, size, "--resume");
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--overwrite") != 0 && strcmp(argv[i], "--resume") != 0)
            append_quoted(out, size, argv[i]);
    free(cmdline);
}

static json_t *summary_json(const ldrun_run_result *r, double seconds, const char *output_dir,
                            size_t inputs)
{
    const ldrun_counts *c = &r->total;
    double mb = (double)c->bytes_read / (1024.0 * 1024.0);
    json_t *summary = ldrun_counts_json(c);
    if (summary == NULL)
        return NULL;
    json_object_set_new(summary, "seconds", json_real(seconds));
    json_object_set_new(summary, "megabytesPerSecond", json_real(seconds > 0 ? mb / seconds : 0));
    json_object_set_new(summary, "recordsPerSecond",
                        json_real(seconds > 0 ? (double)c->records / seconds : 0));
    json_object_set_new(summary, "output", json_string(output_dir));
    json_object_set_new(summary, "inputs", json_integer((json_int_t)inputs));
    json_object_set_new(summary, "completedFiles", json_integer((json_int_t)r->completed));
    json_object_set_new(summary, "runs", json_integer(r->runs));
    json_object_set_new(summary, "perFile", r->per_file ? json_incref(r->per_file) : json_array());
    return summary;
}

/* Write DIR/summary.json through a new file renamed over the old one. */
static int write_summary(const json_t *summary, const char *output_dir, ld_error *error)
{
    char path[4200], temporary[4300];
    snprintf(path, sizeof path, "%s/summary.json", output_dir);
    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    if (ldrun_json_dump_file(summary, temporary, JSON_INDENT(2)) != 0 ||
        rename(temporary, path) != 0) {
        int saved = errno;
        unlink(temporary);
        return ld_error_set(error, LD_ERR_IO, "cannot write %s: %s", path,
                            saved ? strerror(saved) : "write error");
    }
    return LD_OK;
}

static void print_kept(const ldrun_run_result *r, size_t inputs, const char *output_dir)
{
    const ldrun_counts *c = &r->total;
    fprintf(stderr,
            "letsdata-runtime run: kept in %s/: %zu of %zu files done, %llu records (%llu "
            "documents, %llu errors, %llu skipped, %llu handler failures)\n",
            output_dir, r->completed, inputs, (unsigned long long)c->records,
            (unsigned long long)c->success, (unsigned long long)c->error,
            (unsigned long long)c->skip, (unsigned long long)c->handler_failures);
}

int ldrun_main(int argc, char **argv, const ld_registry *registry)
{
    if (ldrun_spark_requested(argc, argv))
        return ldrun_spark_main(argc, argv, registry);
    const char *reader = "single-file", *manifest = NULL, *file_type = NULL;
    const char *output_dir = "letsdata-output";
    size_t max_record = 64u * 1024 * 1024;
    int json_summary = 0, continue_on_error = 0, resume = 0, documents_to_stdout = 0;
    int overwrite = 0, isolate = 0;
    unsigned jobs = 1, timeout_ms = 0;
    char *bucket_dirs[32];
    size_t bucket_dir_count = 0;
    ldvec_cli vec = LDVEC_CLI_INIT;
    int reader_given = 0, taken;
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    size_t input_count = 0;
    if (inputs == NULL)
        return 1;
    int status = 0;
    for (int i = 1; i < argc && status == 0; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage, stdout);
            fputs(ldvec_cli_usage, stdout);
            free(inputs);
            return 0;
        } else if (strcmp(arg, "--json") == 0) {
            json_summary = 1;
        } else if (strcmp(arg, "--continue-on-error") == 0) {
            continue_on_error = 1;
        } else if (strcmp(arg, "--resume") == 0) {
            resume = 1;
        } else if (strcmp(arg, "--overwrite") == 0) {
            overwrite = 1;
        } else if (strcmp(arg, "--isolate") == 0) {
            isolate = 1;
        } else if (strcmp(arg, "--timeout-ms") == 0) {
            char *end = NULL;
            errno = 0;
            unsigned long n = value ? strtoul(value, &end, 10) : 0;
            if (value == NULL || *value == '-' || *end || errno || n == 0 || n > 86400000ul) {
                status = usage_error("--timeout-ms needs a number of milliseconds (1 to "
                                     "86400000), got",
                                     value ? value : "nothing");
                break;
            }
            timeout_ms = (unsigned)n;
            i++;
        } else if (strcmp(arg, "--stdout") == 0) {
            documents_to_stdout = 1;
        } else if (strcmp(arg, "-j") == 0 || strcmp(arg, "--jobs") == 0) {
            char *end = NULL;
            long n = value ? strtol(value, &end, 10) : 0;
            if (value == NULL || *end || n < 1 || n > 64) {
                status = usage_error("--jobs needs a number from 1 to 64, got",
                                     value ? value : "nothing");
                break;
            }
            jobs = (unsigned)n;
            i++;
        } else if (strcmp(arg, "--reader") == 0 || strcmp(arg, "--manifest") == 0 ||
                   strcmp(arg, "--file-type") == 0 || strcmp(arg, "--output") == 0 ||
                   strcmp(arg, "--max-record-bytes") == 0 || strcmp(arg, "--bucket-dir") == 0) {
            if (value == NULL) {
                status = usage_error("missing value for", arg);
                break;
            }
            i++;
            if (strcmp(arg, "--reader") == 0) {
                reader = value;
                reader_given = 1;
            }
            else if (strcmp(arg, "--manifest") == 0)
                manifest = value;
            else if (strcmp(arg, "--file-type") == 0)
                file_type = value;
            else if (strcmp(arg, "--output") == 0)
                output_dir = value;
            else if (strcmp(arg, "--bucket-dir") == 0) {
                if (strchr(value, '=') == NULL || bucket_dir_count == 32)
                    status = usage_error("--bucket-dir needs BUCKET=DIR, got", value);
                else
                    bucket_dirs[bucket_dir_count++] = (char *)value;
            } else {
                char *end;
                errno = 0;
                unsigned long long n = strtoull(value, &end, 10);
                if (errno || *end || n == 0 || *value == '-')
                    status = usage_error("--max-record-bytes needs a positive number, got",
                                         value);
                else
                    max_record = (size_t)n;
            }
        } else if ((taken = ldvec_cli_option(&vec, arg, value)) != 0) {
            if (taken < 0)
                status = 2;
            i += taken - 1;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            status = usage_error("unknown option", arg);
        } else {
            inputs[input_count++] = (char *)arg;
        }
    }
    /* A dataset configuration: its reader, manifest and compute engine, unless the
     * flags say otherwise. */
    ldrun_dataset dataset = {0};
    int dataset_given = vec.dataset != NULL;
    if (!dataset_given && manifest != NULL && ldrun_is_json_file(manifest))
        vec.dataset = manifest; /* a configuration given as the manifest says the same */
    if (status == 0 && vec.dataset != NULL) {
        ld_error dataset_error = {0};
        if (ldrun_dataset_read(vec.dataset, &dataset, &dataset_error) != LD_OK) {
            fprintf(stderr, "letsdata-runtime run: %s\n", dataset_error.message);
            status = 2;
        } else if (dataset.reader[0] == '\0' && dataset_given) {
            fprintf(stderr,
                    "letsdata-runtime run: --dataset %s names no reader "
                    "(readConnector.readerType)\n",
                    vec.dataset);
            status = 2;
        } else if (dataset.reader[0] != '\0' && reader_given &&
                   strcasecmp(reader, dataset.reader) != 0) {
            fprintf(stderr,
                    "letsdata-runtime run: --reader %s contradicts %s, whose reader is %s\n",
                    reader, vec.dataset, dataset.reader);
            status = 2;
        } else {
            if (dataset.reader[0] != '\0') /* else the flags choose the reader */
                reader = dataset.reader;
            if (dataset.lists_files && manifest == NULL)
                manifest = vec.dataset;
            /* A stream's manifest (KinesisStreamReaderManifest...) names no files: the
             * inputs are the replayed records. */
            if (manifest == vec.dataset && strcmp(reader, "single-file") != 0)
                manifest = NULL;
            if (!vec.jobs_given && dataset.endpoint_concurrency > 0)
                vec.options.jobs = dataset.endpoint_concurrency;
            if (dataset.sagemaker && vec.spec == NULL) {
                fprintf(stderr,
                        "letsdata-runtime run: %s's computeEngine is LAMBDA_AND_SAGEMAKER: "
                        "choose where the vectors come from with --vectorizer hash:DIM, "
                        "http://HOST:PORT/PATH or sagemaker:ENDPOINT_NAME\n",
                        vec.dataset);
                status = 2;
            }
        }
    }
    ld_interface interface_id = LD_INTERFACE_COUNT;
    for (size_t r = 0; r < sizeof readers / sizeof readers[0]; r++)
        if (strcasecmp(reader, readers[r].name) == 0)
            interface_id = readers[r].id;
    if (status == 0 && interface_id == LD_INTERFACE_COUNT)
        status = usage_error("unknown --reader", reader);
    if (status == 0 && json_summary && documents_to_stdout)
        status = usage_error("--json and --stdout both write to stdout: choose one", NULL);
    if (status == 0 && resume && overwrite)
        status = usage_error("--resume continues the results in the folder, --overwrite "
                             "replaces them: choose one",
                             NULL);
    if (status == 0 && timeout_ms && !isolate)
        status = usage_error("--timeout-ms needs --isolate (only a child process can be "
                             "stopped)",
                             NULL);
    if (status == 0 && input_count == 0 && manifest == NULL)
        status = usage_error("no input: give files or --manifest", NULL);
    if (status == 0 && !ld_registry_has(registry, interface_id)) {
        char registered[256];
        int count = ld_registry_list_interfaces(registry, registered, sizeof registered);
        fprintf(stderr,
                "letsdata-runtime run: no %s is registered (the handler registered %s%s; "
                "load one with --handler)\n",
                ld_interface_to_string(interface_id), count ? "only " : "no interface",
                registered);
        status = 2;
    }
    if (status == 0 && vec.spec != NULL &&
        !ld_registry_has(registry, LD_INTERFACE_SAGEMAKER_VECTORS)) {
        fprintf(stderr,
                "letsdata-runtime run: --vectorizer needs a SagemakerVectorsInterface "
                "(load one with --handler)\n");
        status = 2;
    }
    if (status == 0 && vec.spec != NULL && isolate) {
        fprintf(stderr, "letsdata-runtime run: --isolate does not run the vector chain's "
                        "handler calls yet: leave out --isolate or --vectorizer\n");
        status = 2;
    }
    ldvec_vectorizer *vectorizer = NULL;
    if (status == 0 && vec.spec != NULL) {
        ld_error vector_error = {0};
        if ((vectorizer = ldvec_vectorizer_new(vec.spec, &vec.options, &vector_error)) == NULL) {
            fprintf(stderr, "letsdata-runtime run: %s\n", vector_error.message);
            status = 2;
        }
    }
    if (status != 0) {
        free(inputs);
        return status;
    }

    ld_error error = {0};
    ld_context *ctx = ld_context_new("local-run", "local", "local", "local", "local");
    char **paths = NULL, **names = NULL, **resolved = NULL;
    size_t count = 0;
    char *type_owned = NULL;
    ldrun_task *tasks = NULL;
    size_t task_count = 0;
    int rc = ctx != NULL ? LD_OK : ld_error_set(&error, LD_ERR_NOMEM, "out of memory");
    if (rc == LD_OK && manifest != NULL)
        rc = ldrun_manifest_files(manifest, bucket_dirs, bucket_dir_count, &paths, &names,
                                  &count, &error);
    const ld_single_file_parser *parser = interface_id == LD_INTERFACE_SINGLE_FILE_PARSER
                                              ? ld_registry_single_file_parser(registry)
                                              : NULL;
    if (rc == LD_OK && parser != NULL && file_type == NULL) {
        if (parser->get_s3_file_type == NULL)
            rc = ld_error_set(&error, LD_ERR_INVALID,
                              "the parser has no getS3FileType: pass --file-type");
        else if (parser->get_s3_file_type(ctx, parser->payload, &type_owned) != LD_OK ||
                 type_owned == NULL)
            rc = ld_error_set(&error, LD_ERR_HANDLER, "getS3FileType failed: %s",
                              ld_context_failed(ctx) ? ld_context_error_message(ctx)
                                                     : "no file type");
        file_type = type_owned;
    }
    task_count = input_count + count;
    if (rc == LD_OK && ((tasks = calloc(task_count, sizeof *tasks)) == NULL ||
                        (resolved = calloc(task_count, sizeof *resolved)) == NULL))
        rc = ld_error_set(&error, LD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == LD_OK && i < task_count; i++) {
        const char *entry = i < input_count ? inputs[i] : names[i - input_count];
        const char *path = i < input_count ? inputs[i] : paths[i - input_count];
        tasks[i].name = entry;
        tasks[i].path = path;
        if (i < input_count || parser == NULL || parser->get_resolved_s3_file_name == NULL)
            continue;
        /* A manifest entry, as the handler maps it to the key actually read. */
        char *name = NULL;
        if (parser->get_resolved_s3_file_name(ctx, parser->payload, file_type, entry, &name) !=
                LD_OK ||
            name == NULL) {
            rc = ld_error_set(&error, LD_ERR_HANDLER, "getResolvedS3FileName(%s) failed: %s",
                              entry,
                              ld_context_failed(ctx) ? ld_context_error_message(ctx) : "no name");
            free(name);
            break;
        }
        if (strcmp(name, entry) != 0) {
            /* Same directory, the resolved key's name. */
            size_t dir_length = strlen(path) - strlen(entry);
            if (asprintf(&resolved[i], "%.*s%s", (int)dir_length, path, name) < 0)
                resolved[i] = NULL;
            if (resolved[i] == NULL)
                rc = ld_error_set(&error, LD_ERR_NOMEM, "out of memory");
            else
                tasks[i].path = resolved[i];
        }
        free(name);
    }

    /* The output folder: nothing is written there before this point, and an earlier
     * run's results are only replaced on request. */
    int refused = 0;
    if (rc == LD_OK && !resume) {
        char found[4400];
        if (holds_results(output_dir, found, sizeof found) && !overwrite) {
            rc = ld_error_set(&error, LD_ERR_INVALID,
                              "%s already holds the results of a run (%s): continue it with "
                              "--resume, replace it with --overwrite, or choose another "
                              "--output",
                              output_dir, found);
            refused = 1;
        } else if (overwrite) {
            rc = remove_results(output_dir, &error);
        }
        if (rc == LD_OK && mkdir(output_dir, 0777) != 0 && errno != EEXIST)
            rc = ld_error_set(&error, LD_ERR_IO, "cannot create the output directory %s: %s",
                              output_dir, strerror(errno));
    }

    double started = now_seconds();
    ldrun_run_result result = {0};
    if (rc == LD_OK) {
        ldrun_plan plan = {registry, interface_id, file_type, max_record, continue_on_error,
                           output_dir, jobs, resume, documents_to_stdout,
                           !json_summary && isatty(2), isolate, timeout_ms, vectorizer};
        ldrun_interrupt_install();
        rc = ldrun_run_tasks(&plan, tasks, task_count, &result, &error);
        ldrun_interrupt_restore();
        refused = resume && !result.started;
    }
    double seconds = now_seconds() - started + result.seconds;
    int stop_signal = rc == LDRUN_STOPPED ? ldrun_stop_signal() : 0;
    char command[8192];
    resume_command(argc, argv, command, sizeof command);

    if (!result.started) {
        /* Refused, or failed before it started: the folder is as it was. */
        fprintf(stderr, "letsdata-runtime run: %s: %s\nletsdata-runtime run: nothing was "
                        "written.\n",
                refused ? "REFUSED" : "FAILED before starting", error.message);
    } else {
        json_t *summary = summary_json(&result, seconds, output_dir, task_count);
        const char *state = rc == LD_OK ? "COMPLETED" : stop_signal ? "INTERRUPTED" : "FAILED";
        json_object_set_new(summary, "status", json_string(state));
        if (summary != NULL && vectorizer != NULL) {
            json_t *vectors = ldvec_counts_json(&result.total.vectors);
            json_object_set_new(vectors, "vectorizer", json_string(vec.spec));
            json_object_set_new(summary, "vectors", vectors);
        }
        if (rc != LD_OK) {
            json_object_set_new(summary, "resumeCommand", json_string(command));
            if (stop_signal) {
                char name[32];
                const char *abbrev = sigabbrev_np(stop_signal);
                snprintf(name, sizeof name, "SIG%s", abbrev ? abbrev : "?");
                json_object_set_new(summary, "interruptedBy", json_string(name));
            } else {
                json_object_set_new(summary, "failure", json_string(error.message));
                if (result.failed != NULL)
                    json_object_set_new(summary, "failedFile", json_string(result.failed));
            }
        }
        ld_error summary_error = {0};
        int summary_rc = summary != NULL ? write_summary(summary, output_dir, &summary_error)
                                         : ld_error_set(&summary_error, LD_ERR_NOMEM,
                                                        "out of memory");
        if (json_summary && summary != NULL) {
            ldrun_json_dumpf(summary, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
            fflush(stdout);
        }
        json_decref(summary);
        const ldrun_counts *t = &result.total;
        if (rc == LD_OK && !json_summary)
            fprintf(stderr,
                    "letsdata-runtime run: %llu files, %llu records: %llu documents, %llu "
                    "errors, %llu skipped, %llu handler failures; %.1f MB in %.2f s -> %s/\n",
                    (unsigned long long)t->files, (unsigned long long)t->records,
                    (unsigned long long)t->success, (unsigned long long)t->error,
                    (unsigned long long)t->skip, (unsigned long long)t->handler_failures,
                    (double)t->bytes_read / 1e6, seconds, output_dir);
        if (!json_summary && vectorizer != NULL) {
            const ldrun_vector_counts *v = &t->vectors;
            fprintf(stderr,
                    "letsdata-runtime run: vectors (%s): %llu documents in, %llu texts in %llu "
                    "requests (%llu retries); %llu vector documents, %llu vectorize errors, "
                    "%llu extract and %llu construct failures\n",
                    vec.spec, (unsigned long long)v->documents, (unsigned long long)v->texts,
                    (unsigned long long)v->requests, (unsigned long long)v->retries,
                    (unsigned long long)v->constructed, (unsigned long long)v->vectorize_errors,
                    (unsigned long long)v->extract_failures,
                    (unsigned long long)v->construct_failures);
        }
        if (stop_signal) {
            const char *abbrev = sigabbrev_np(stop_signal);
            fprintf(stderr,
                    "letsdata-runtime run: INTERRUPTED by SIG%s: stopped after the records "
                    "in flight; the checkpoint and summary are written.\n",
                    abbrev ? abbrev : "?");
            print_kept(&result, task_count, output_dir);
            fprintf(stderr, "letsdata-runtime run: resume with:\n  %s\n", command);
        } else if (rc != LD_OK) {
            fprintf(stderr, "letsdata-runtime run: FAILED: %s\n", error.message);
            print_kept(&result, task_count, output_dir);
            if (result.failed != NULL)
                fprintf(stderr,
                        "letsdata-runtime run: nothing of %s was kept; it runs again from "
                        "its start on resume.\n",
                        result.failed);
            fprintf(stderr, "letsdata-runtime run: after fixing the cause, resume with:\n  %s\n",
                    command);
        }
        if (summary_rc != LD_OK)
            fprintf(stderr, "letsdata-runtime run: %s%s\n", rc == LD_OK ? "FAILED: " : "",
                    summary_error.message);
        if (rc == LD_OK && summary_rc != LD_OK)
            rc = summary_rc;
    }
    json_decref(result.per_file);
    ldvec_vectorizer_free(vectorizer);

    for (size_t i = 0; resolved != NULL && i < task_count; i++)
        free(resolved[i]);
    free(resolved);
    free(tasks);
    for (size_t i = 0; i < count; i++) {
        free(paths[i]);
        free(names[i]);
    }
    free(paths);
    free(names);
    free(type_owned);
    free(inputs);
    ld_context_free(ctx);
    if (stop_signal)
        return 128 + stop_signal;
    return rc == LD_OK ? 0 : refused ? 2 : 1;
}
