/*
 * runner.c - `letsdata-runtime run`: run a dataset locally with the loaded handlers
 * (docs/local-runner.md). Options, the loop over inputs, and the summary.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
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
    "  --output DIR           results directory (default: letsdata-output)\n"
    "  --max-record-bytes N   longest record accepted (default 67108864)\n"
    "  --continue-on-error    record handler failures as errors and go on\n"
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
    "DIR/summary.json.\n";

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

static json_t *summary_json(const ldrun_counts *c, double seconds, const char *output_dir,
                            json_t *per_file)
{
    double mb = (double)c->bytes_read / (1024.0 * 1024.0);
    json_t *summary = ldrun_counts_json(c);
    if (summary == NULL) {
        json_decref(per_file);
        return NULL;
    }
    json_object_set_new(summary, "seconds", json_real(seconds));
    json_object_set_new(summary, "megabytesPerSecond", json_real(seconds > 0 ? mb / seconds : 0));
    json_object_set_new(summary, "recordsPerSecond",
                        json_real(seconds > 0 ? (double)c->records / seconds : 0));
    json_object_set_new(summary, "output", json_string(output_dir));
    json_object_set_new(summary, "perFile", per_file ? per_file : json_array());
    return summary;
}

int ldrun_main(int argc, char **argv, const ld_registry *registry)
{
    if (ldrun_spark_requested(argc, argv))
        return ldrun_spark_main(argc, argv, registry);
    const char *reader = "single-file", *manifest = NULL, *file_type = NULL;
    const char *output_dir = "letsdata-output";
    size_t max_record = 64u * 1024 * 1024;
    int json_summary = 0, continue_on_error = 0, resume = 0, documents_to_stdout = 0;
    unsigned jobs = 1;
    char *bucket_dirs[32];
    size_t bucket_dir_count = 0;
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    size_t input_count = 0;
    if (inputs == NULL)
        return 1;
    int status = 0;
    for (int i = 1; i < argc && status == 0; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage, stdout);
            free(inputs);
            return 0;
        } else if (strcmp(arg, "--json") == 0) {
            json_summary = 1;
        } else if (strcmp(arg, "--continue-on-error") == 0) {
            continue_on_error = 1;
        } else if (strcmp(arg, "--resume") == 0) {
            resume = 1;
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
            if (strcmp(arg, "--reader") == 0)
                reader = value;
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
        } else if (arg[0] == '-' && arg[1] != '\0') {
            status = usage_error("unknown option", arg);
        } else {
            inputs[input_count++] = (char *)arg;
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
    if (status == 0 && input_count == 0 && manifest == NULL)
        status = usage_error("no input: give files or --manifest", NULL);
    if (status == 0 && !ld_registry_has(registry, interface_id)) {
        fprintf(stderr, "letsdata-runtime run: no %s is registered (load one with --handler)\n",
                ld_interface_to_string(interface_id));
        status = 2;
    }
    if (status != 0) {
        free(inputs);
        return status;
    }

    ld_error error = {0};
    ldrun_counts totals = {0};
    json_t *per_file = NULL;
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
    if (rc == LD_OK && mkdir(output_dir, 0777) != 0 && errno != EEXIST)
        rc = ld_error_set(&error, LD_ERR_IO, "cannot create the output directory %s: %s",
                          output_dir, strerror(errno));
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

    double started = now_seconds();
    if (rc == LD_OK) {
        ldrun_plan plan = {registry, interface_id, file_type, max_record, continue_on_error,
                           output_dir, jobs, resume, documents_to_stdout,
                           !json_summary && isatty(2)};
        rc = ldrun_run_tasks(&plan, tasks, task_count, &totals, &per_file, &error);
    }
    double seconds = now_seconds() - started;

    json_t *summary = summary_json(&totals, seconds, output_dir, per_file);
    if (summary != NULL) {
        char path[4096];
        snprintf(path, sizeof path, "%s/summary.json", output_dir);
        if (rc != LD_OK)
            json_object_set_new(summary, "failure", json_string(error.message));
        json_dump_file(summary, path, JSON_INDENT(2));
        if (json_summary) {
            json_dumpf(summary, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
        }
        json_decref(summary);
    }
    if (!json_summary)
        fprintf(stderr,
                "letsdata-runtime run: %llu files, %llu records: %llu documents, %llu errors, "
                "%llu skipped, %llu handler failures; %.1f MB in %.2f s -> %s/\n",
                (unsigned long long)totals.files, (unsigned long long)totals.records,
                (unsigned long long)totals.success, (unsigned long long)totals.error,
                (unsigned long long)totals.skip, (unsigned long long)totals.handler_failures,
                (double)totals.bytes_read / 1e6, seconds, output_dir);
    if (rc != LD_OK)
        fprintf(stderr, "letsdata-runtime run: %s\n", error.message);

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
    return rc == LD_OK ? 0 : 1;
}
