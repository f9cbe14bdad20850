/*
 * spark_config.c - the command line and dataset configuration of a local Spark run
 * (see spark_config.h and docs/local-runner.md).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "runner_internal.h"
#include "spark_config.h"
#include "spark_tasks.h"

const char ldrun_spark_usage[] =
    "Usage: letsdata-runtime --handler LIB.so run --spark MODE [OPTIONS] [INPUT...]\n"
    "\n"
    "Run a Spark dataset locally, as LetsData runs it: one mapper task per input file\n"
    "(in parallel with -j), then one reducer task (see docs/local-runner.md).\n"
    "\n"
    "MODE (LetsData's run configuration):\n"
    "  MAPPER_AND_REDUCER   mappers write parquet+gzip intermediates to\n"
    "                       DIR/intermediate/, the reducer reads them all, writes\n"
    "                       DIR/output/\n"
    "  MAPPER_ONLY          each mapper writes DIR/output/mapper-NNNNN/\n"
    "  REDUCER_ONLY         one reducer over all INPUTs, writes DIR/output/\n"
    "\n"
    "Options:\n"
    "  --manifest FILE        a dataset configuration JSON (readConnector with\n"
    "                         sparkFileFormat/sparkReadOptions/bucketName,\n"
    "                         writeConnector with sparkFileFormat/sparkWriteOptions,\n"
    "                         manifestFile) or a plain list of files\n"
    "  --bucket-dir B=DIR     S3 bucket B is local directory DIR (repeatable)\n"
    "  --read-format F        text, json, csv or parquet (default: the dataset's)\n"
    "  --read-options JSON    e.g. '{\"lineSep\": \"\\n\\r\\n\\r\\n\"}' (default: the dataset's)\n"
    "  --write-format F       json, csv, parquet or text (default: the dataset's)\n"
    "  --write-options JSON   e.g. '{\"compression\": \"gzip\"}' (default: the dataset's)\n"
    "  --output DIR           results directory (default: letsdata-output)\n"
    "  -j, --jobs N           run N mapper tasks at once (default 1)\n"
    "  --resume               skip mapper tasks whose output has _SUCCESS\n"
    "  --overwrite            replace the results of an earlier run in DIR\n"
    "  --json                 print the summary as JSON on stdout\n"
    "  -h, --help             this help\n"
    "\n"
    "INPUT: local files or directories, file:// or s3:// / s3a:// URIs of mapped buckets.\n"
    "Summary: DIR/summary.json (rows, bytes and seconds per task).\n";

static const char *const mode_names[] = {"MAPPER_AND_REDUCER", "MAPPER_ONLY", "REDUCER_ONLY"};

const char *ldrun_spark_mode_name(ldrun_spark_mode mode)
{
    return mode_names[mode];
}

static int parse_mode(const char *text, ldrun_spark_mode *mode)
{
    for (int m = 0; m < 3; m++)
        if (strcasecmp(text, mode_names[m]) == 0) {
            *mode = (ldrun_spark_mode)m;
            return 0;
        }
    return -1;
}

static json_t *load_json_file(const char *path, ld_error *error)
{
    json_error_t json_error;
    json_t *value = json_load_file(path, 0, &json_error);
    if (value == NULL)
        ld_error_set(error, LD_ERR_INVALID, "%s: not valid JSON: %s (line %d)", path,
                     json_error.text, json_error.line);
    return value;
}

/* A file starting with '{' is a dataset configuration; anything else a plain list. */
static int is_json_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    int c;
    while ((c = fgetc(f)) == ' ' || c == '\t' || c == '\r' || c == '\n')
        ;
    fclose(f);
    return c == '{';
}

static const char *manifest_option(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--manifest") == 0)
            return argv[i + 1];
    return NULL;
}

int ldrun_spark_requested(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--spark") == 0 || strncmp(argv[i], "--spark=", 8) == 0)
            return 1;
        if (strcmp(argv[i], "--reader") == 0 && i + 1 < argc &&
            strcasecmp(argv[i + 1], "spark") == 0)
            return 1;
    }
    const char *manifest = manifest_option(argc, argv);
    if (manifest == NULL || !is_json_file(manifest))
        return 0;
    json_t *config = json_load_file(manifest, 0, NULL);
    const char *reader = json_string_value(
        json_object_get(json_object_get(config, "readConnector"), "readerType"));
    int spark = reader != NULL && (strcasecmp(reader, "SPARKREADER") == 0 ||
                                   strcasecmp(reader, "Spark Reader") == 0);
    json_decref(config);
    return spark;
}

static int set_string(char **slot, const char *value, ld_error *error)
{
    free(*slot);
    *slot = value ? ld_strdup(value) : NULL;
    return value && *slot == NULL ? ld_error_set(error, LD_ERR_NOMEM, "out of memory") : LD_OK;
}

static int parse_options_json(const char *option, const char *text, json_t **out,
                              ld_error *error)
{
    json_error_t json_error;
    json_t *value = json_loads(text, 0, &json_error);
    if (value == NULL || !json_is_object(value)) {
        json_decref(value);
        return ld_error_set(error, LD_ERR_INVALID, "%s needs a JSON object, got %s%s%s",
                            option, text, value ? "" : ": ", value ? "" : json_error.text);
    }
    json_decref(*out);
    *out = value;
    return LD_OK;
}

static int push(char ***list, size_t *count, char *item, ld_error *error)
{
    char **grown = item ? realloc(*list, (*count + 1) * sizeof **list) : NULL;
    if (grown == NULL) {
        free(item);
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    *list = grown;
    (*list)[(*count)++] = item;
    return LD_OK;
}

/* Append "BUCKET=ABSDIR" to the ':'-joined mapping. */
static int add_bucket_dir(ldrun_spark_config *c, const char *bucket, size_t bucket_length,
                          const char *dir, ld_error *error)
{
    char absolute[PATH_MAX];
    if (realpath(dir, absolute) == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "bucket %.*s: directory %s: %s",
                            (int)bucket_length, bucket, dir, strerror(errno));
    if (strchr(absolute, ':') != NULL)
        return ld_error_set(error, LD_ERR_INVALID,
                            "bucket %.*s: directory %s has a ':' (not allowed in "
                            "LETSDATA_BUCKET_DIRS)",
                            (int)bucket_length, bucket, absolute);
    char *joined = NULL;
    if (asprintf(&joined, "%s%s%.*s=%s", c->bucket_dirs ? c->bucket_dirs : "",
                 c->bucket_dirs ? ":" : "", (int)bucket_length, bucket, absolute) < 0)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    free(c->bucket_dirs);
    c->bucket_dirs = joined;
    return LD_OK;
}

static int has_bucket(const ldrun_spark_config *c, const char *bucket)
{
    size_t n = strlen(bucket);
    for (const char *p = c->bucket_dirs; p != NULL; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL)
        if (strncmp(p, bucket, n) == 0 && p[n] == '=')
            return 1;
    return 0;
}

/* A local input: its absolute path (it must exist). URIs pass through. */
static int add_input(ldrun_spark_config *c, const char *input, ld_error *error)
{
    if (strstr(input, "://") != NULL)
        return push(&c->inputs, &c->input_count, ld_strdup(input), error);
    char absolute[PATH_MAX];
    if (realpath(input, absolute) == NULL)
        return ld_error_set(error, LD_ERR_NOT_FOUND, "input %s: %s", input, strerror(errno));
    return push(&c->inputs, &c->input_count, ld_strdup(absolute), error);
}

/* The dataset configuration: formats, options, run configuration, manifest files. */
static int apply_dataset(ldrun_spark_config *c, const char *path, int mode_given,
                         ld_error *error)
{
    if (!is_json_file(path)) {
        /* A plain list of files, relative to its directory. */
        char **paths = NULL, **names = NULL;
        size_t count = 0;
        int rc = ldrun_manifest_files(path, NULL, 0, &paths, &names, &count, error);
        for (size_t i = 0; i < count; i++) {
            if (rc == LD_OK)
                rc = add_input(c, paths[i], error);
            free(paths[i]);
            free(names[i]);
        }
        free(paths);
        free(names);
        return rc;
    }
    json_t *config = load_json_file(path, error);
    if (config == NULL)
        return LD_ERR_INVALID;
    int rc = LD_OK;
    json_t *read = json_object_get(config, "readConnector");
    json_t *write = json_object_get(config, "writeConnector");
    const char *name = json_string_value(json_object_get(config, "datasetName"));
    if (name != NULL)
        rc = set_string(&c->dataset_name, name, error);

    /* Command-line values were parsed first and win. */
    json_t *value;
    if (rc == LD_OK && c->read_format == NULL &&
        (value = json_object_get(read, "sparkFileFormat")) != NULL) {
        if (!json_is_string(value))
            rc = ld_error_set(error, LD_ERR_INVALID,
                              "%s: readConnector.sparkFileFormat must be a string", path);
        else
            rc = set_string(&c->read_format, json_string_value(value), error);
    }
    if (rc == LD_OK && c->write_format == NULL &&
        (value = json_object_get(write, "sparkFileFormat")) != NULL) {
        if (!json_is_string(value))
            rc = ld_error_set(error, LD_ERR_INVALID,
                              "%s: writeConnector.sparkFileFormat must be a string", path);
        else
            rc = set_string(&c->write_format, json_string_value(value), error);
    }
    struct {
        json_t *connector;
        const char *key;
        json_t **slot;
        int given;
    } options[] = {{read, "sparkReadOptions", &c->read_options, c->read_options_given},
                   {write, "sparkWriteOptions", &c->write_options, c->write_options_given}};
    for (int o = 0; rc == LD_OK && o < 2; o++) {
        value = json_object_get(options[o].connector, options[o].key);
        if (value == NULL || options[o].given)
            continue;
        if (!json_is_object(value))
            rc = ld_error_set(error, LD_ERR_INVALID, "%s: %s.%s must be an object", path,
                              o == 0 ? "readConnector" : "writeConnector", options[o].key);
        else {
            json_decref(*options[o].slot);
            *options[o].slot = json_deep_copy(value);
        }
    }
    /* The run configuration, where a configuration carries it. */
    const char *run = json_string_value(json_object_get(config, "runSparkInterfaces"));
    if (run == NULL)
        run = json_string_value(
            json_object_get(json_object_get(config, "computeEngine"), "runSparkInterfaces"));
    if (rc == LD_OK && run != NULL && !mode_given && parse_mode(run, &c->mode) != 0)
        rc = ld_error_set(error, LD_ERR_INVALID,
                          "%s: runSparkInterfaces %s is not MAPPER_AND_REDUCER, MAPPER_ONLY or "
                          "REDUCER_ONLY",
                          path, run);

    /* The manifest's files, as the s3a:// URIs LetsData passes. */
    json_t *manifest = json_object_get(config, "manifestFile");
    const char *type = json_string_value(json_object_get(manifest, "manifestType"));
    const char *contents = json_string_value(json_object_get(manifest, "fileContents"));
    const char *bucket = json_string_value(json_object_get(read, "bucketName"));
    if (rc == LD_OK && manifest != NULL) {
        if (type != NULL && strcmp(type, "S3ReaderTextManifestFile") != 0)
            rc = ld_error_set(error, LD_ERR_UNSUPPORTED,
                              "%s: manifestFile.manifestType %s is not supported locally "
                              "(S3ReaderTextManifestFile is)",
                              path, type);
        else if (contents == NULL)
            rc = ld_error_set(error, LD_ERR_INVALID,
                              "%s: manifestFile.fileContents is missing (a string, one file "
                              "per line)",
                              path);
        else if (bucket == NULL)
            rc = ld_error_set(error, LD_ERR_INVALID, "%s: readConnector.bucketName is missing",
                              path);
    }
    if (rc == LD_OK && manifest != NULL) {
        if (!has_bucket(c, bucket)) {
            /* By default the bucket is the directory named like it beside the file; with
             * no such directory the URIs go to S3 (through libletsdata-aws). */
            char *copy = ld_strdup(path);
            char *dir = NULL;
            struct stat st;
            if (copy == NULL || asprintf(&dir, "%s/%s", dirname(copy), bucket) < 0)
                rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
            else if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
                rc = add_bucket_dir(c, bucket, strlen(bucket), dir, error);
            free(dir);
            free(copy);
        }
        for (const char *p = contents; rc == LD_OK && *p;) {
            size_t n = strcspn(p, "\n");
            const char *line = p;
            p += n + (p[n] == '\n');
            while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
                n--;
            while (n > 0 && (*line == ' ' || *line == '\t')) {
                line++;
                n--;
            }
            if (n == 0)
                continue;
            char *uri = NULL;
            if (asprintf(&uri, "s3a://%s/%.*s", bucket, (int)n, line) < 0)
                uri = NULL;
            rc = push(&c->inputs, &c->input_count, uri, error);
        }
    }
    json_decref(config);
    return rc;
}

int ldrun_spark_config_parse(int argc, char **argv, ldrun_spark_config *c, ld_error *error)
{
    memset(c, 0, sizeof *c);
    c->jobs = 1;
    c->read_options = json_object();
    c->write_options = json_object();
    const char *manifest = NULL, *output = "letsdata-output";
    int mode_given = 0, rc = LD_OK;
    if (c->read_options == NULL || c->write_options == NULL ||
        set_string(&c->write_mode, "overwrite", error) != LD_OK)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");

    char **plain = calloc((size_t)argc + 1, sizeof *plain);
    size_t plain_count = 0;
    if (plain == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    for (int i = 1; i < argc && rc == LD_OK; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strncmp(arg, "--spark=", 8) == 0) {
            value = arg + 8;
            arg = "--spark";
            i--; /* no separate value to skip */
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            c->help = 1;
        } else if (strcmp(arg, "--resume") == 0) {
            c->resume = 1;
        } else if (strcmp(arg, "--overwrite") == 0) {
            c->overwrite = 1;
        } else if (strcmp(arg, "--json") == 0) {
            c->json_summary = 1;
        } else if (strcmp(arg, "--file-type") == 0 || strcmp(arg, "--max-record-bytes") == 0 ||
                   strcmp(arg, "--continue-on-error") == 0 || strcmp(arg, "--stdout") == 0 ||
                   strcmp(arg, "--isolate") == 0 || strcmp(arg, "--timeout-ms") == 0) {
            rc = ld_error_set(error, LD_ERR_INVALID,
                              "%s does not apply to Spark datasets (a Spark task writes "
                              "files, not documents)",
                              arg);
        } else if (arg[0] == '-' && arg[1] != '\0') {
            static const char *const with_value[] = {
                "--spark",        "--reader",        "--manifest",     "--bucket-dir",
                "--read-format",  "--read-options",  "--write-format", "--write-options",
                "--output",       "-j",              "--jobs",         NULL};
            int known = 0;
            for (int k = 0; with_value[k]; k++)
                known |= strcmp(arg, with_value[k]) == 0;
            if (!known) {
                rc = ld_error_set(error, LD_ERR_INVALID, "unknown option %s", arg);
                break;
            }
            if (value == NULL) {
                rc = ld_error_set(error, LD_ERR_INVALID, "missing value for %s", arg);
                break;
            }
            i++;
            if (strcmp(arg, "--spark") == 0) {
                if (parse_mode(value, &c->mode) != 0)
                    rc = ld_error_set(error, LD_ERR_INVALID,
                                      "--spark needs MAPPER_AND_REDUCER, MAPPER_ONLY or "
                                      "REDUCER_ONLY, got %s",
                                      value);
                mode_given = 1;
            } else if (strcmp(arg, "--reader") == 0) {
                if (strcasecmp(value, "spark") != 0)
                    rc = ld_error_set(error, LD_ERR_INVALID,
                                      "--reader %s cannot be combined with a Spark dataset",
                                      value);
            } else if (strcmp(arg, "--manifest") == 0) {
                manifest = value;
            } else if (strcmp(arg, "--bucket-dir") == 0) {
                const char *eq = strchr(value, '=');
                if (eq == NULL || eq == value)
                    rc = ld_error_set(error, LD_ERR_INVALID,
                                      "--bucket-dir needs BUCKET=DIR, got %s", value);
                else
                    rc = add_bucket_dir(c, value, (size_t)(eq - value), eq + 1, error);
            } else if (strcmp(arg, "--read-format") == 0) {
                rc = set_string(&c->read_format, value, error);
            } else if (strcmp(arg, "--write-format") == 0) {
                rc = set_string(&c->write_format, value, error);
            } else if (strcmp(arg, "--read-options") == 0) {
                rc = parse_options_json(arg, value, &c->read_options, error);
                c->read_options_given = 1;
            } else if (strcmp(arg, "--write-options") == 0) {
                rc = parse_options_json(arg, value, &c->write_options, error);
                c->write_options_given = 1;
            } else if (strcmp(arg, "--output") == 0) {
                output = value;
            } else {
                char *end = NULL;
                long n = strtol(value, &end, 10);
                if (*end || n < 1 || n > 64)
                    rc = ld_error_set(error, LD_ERR_INVALID,
                                      "--jobs needs a number from 1 to 64, got %s", value);
                else
                    c->jobs = (unsigned)n;
            }
        } else {
            plain[plain_count++] = (char *)arg;
        }
    }
    if (rc == LD_OK && c->help) {
        free(plain);
        return LD_OK;
    }
    if (rc == LD_OK && manifest != NULL)
        rc = apply_dataset(c, manifest, mode_given, error);
    for (size_t i = 0; rc == LD_OK && i < plain_count; i++)
        rc = add_input(c, plain[i], error);
    free(plain);
    if (rc == LD_OK && c->input_count == 0)
        rc = ld_error_set(error, LD_ERR_INVALID,
                          "no input: give files or a --manifest dataset configuration");
    if (rc == LD_OK && c->read_format == NULL)
        rc = ld_error_set(error, LD_ERR_INVALID,
                          "no read format: give --read-format or a dataset configuration "
                          "with readConnector.sparkFileFormat");
    if (rc == LD_OK && c->write_format == NULL)
        rc = ld_error_set(error, LD_ERR_INVALID,
                          "no write format: give --write-format or a dataset configuration "
                          "with writeConnector.sparkFileFormat");
    if (rc == LD_OK && c->dataset_name == NULL)
        rc = set_string(&c->dataset_name, "local", error);
    if (rc == LD_OK) {
        if (mkdir(output, 0777) != 0 && errno != EEXIST)
            rc = ld_error_set(error, LD_ERR_IO, "cannot create the output directory %s: %s",
                              output, strerror(errno));
        else if ((c->output_dir = realpath(output, NULL)) == NULL)
            rc = ld_error_set(error, LD_ERR_IO, "output directory %s: %s", output,
                              strerror(errno));
    }
    return rc;
}

void ldrun_spark_config_free(ldrun_spark_config *c)
{
    free(c->dataset_name);
    free(c->read_format);
    json_decref(c->read_options);
    free(c->write_format);
    json_decref(c->write_options);
    free(c->write_mode);
    for (size_t i = 0; i < c->input_count; i++)
        free(c->inputs[i]);
    free(c->inputs);
    free(c->output_dir);
    free(c->bucket_dirs);
    memset(c, 0, sizeof *c);
}

char *ldrun_spark_local_path(const ldrun_spark_config *c, const char *uri)
{
    if (uri[0] == '/')
        return ld_strdup(uri);
    if (strncmp(uri, "file://", 7) == 0)
        return ld_strdup(uri + 7);
    const char *rest = strncmp(uri, "s3://", 5) == 0    ? uri + 5
                       : strncmp(uri, "s3a://", 6) == 0 ? uri + 6
                                                        : NULL;
    if (rest == NULL)
        return NULL;
    size_t bucket_length = strcspn(rest, "/");
    for (const char *p = c->bucket_dirs; p != NULL;
         p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL) {
        if (strncmp(p, rest, bucket_length) != 0 || p[bucket_length] != '=')
            continue;
        const char *dir = p + bucket_length + 1;
        size_t dir_length = strcspn(dir, ":");
        char *path = NULL;
        if (asprintf(&path, "%.*s%s%s", (int)dir_length, dir, rest[bucket_length] ? "" : "/",
                     rest + bucket_length) < 0)
            return NULL;
        return path;
    }
    return NULL;
}
