/*
 * dataset.c - what a dataset configuration JSON (the official packages' dataset*.json)
 * tells the runner: the reader, whether its manifest lists files, and the compute
 * engine (see runner_internal.h, ldrun_dataset_read).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner_internal.h"

/* readConnector.readerType / connectorDestination -> --reader. The configurations
 * spell them several ways ("Single File Reader", "SINGLEFILEREADER", "KINESIS"). */
static const struct {
    const char *name;
    const char *reader;
} reader_names[] = {
    {"SINGLEFILEREADER", "single-file"},
    {"S3", "single-file"},
    {"KINESISSTREAMREADER", "kinesis"},
    {"KINESIS", "kinesis"},
    {"SQSQUEUEREADER", "queue"},
    {"SQS", "queue"},
    {"DYNAMODBSTREAMSREADER", "dynamodb-streams"},
    {"DYNAMODBSTREAMS", "dynamodb-streams"},
    {"DYNAMODBTABLEREADER", "dynamodb-table"},
    {"DYNAMODB", "dynamodb-table"},
};

/* Upper-case letters and digits only: "Single File Reader" -> "SINGLEFILEREADER". */
static void squeeze(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (; *in && n + 1 < size; in++)
        if ((*in >= 'A' && *in <= 'Z') || (*in >= '0' && *in <= '9'))
            out[n++] = *in;
        else if (*in >= 'a' && *in <= 'z')
            out[n++] = (char)(*in - 32);
    out[n] = '\0';
}

static const char *reader_of(const char *name)
{
    char key[64];
    squeeze(name, key, sizeof key);
    for (size_t i = 0; i < sizeof reader_names / sizeof reader_names[0]; i++)
        if (strcmp(key, reader_names[i].name) == 0)
            return reader_names[i].reader;
    return NULL;
}

int ldrun_dataset_read(const char *path, ldrun_dataset *dataset, ld_error *error)
{
    memset(dataset, 0, sizeof *dataset);
    json_error_t json_error;
    json_t *config = json_load_file(path, 0, &json_error);
    if (config == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "%s: not valid JSON: %s (line %d)", path,
                            json_error.text, json_error.line);
    int rc = LD_OK;
    json_t *read = json_object_get(config, "readConnector");
    const char *type = json_string_value(json_object_get(read, "readerType"));
    const char *destination = json_string_value(json_object_get(read, "connectorDestination"));
    const char *reader = type ? reader_of(type) : NULL;
    if (reader == NULL && destination != NULL)
        reader = reader_of(destination);
    json_t *engine = json_object_get(config, "computeEngine");
    const char *engine_type = json_string_value(json_object_get(engine, "computeEngineType"));
    const char *manifest_type =
        json_string_value(json_object_get(json_object_get(config, "manifestFile"), "manifestType"));
    if (!json_is_object(config))
        rc = ld_error_set(error, LD_ERR_INVALID, "%s: not a JSON object", path);
    else if (reader == NULL && (type != NULL || destination != NULL))
        rc = ld_error_set(error, LD_ERR_UNSUPPORTED,
                          "%s: readConnector.readerType '%s' (connectorDestination '%s') is not "
                          "a reader the runner knows%s",
                          path, type ? type : "(none)", destination ? destination : "(none)",
                          type != NULL && strcasecmp(type, "SPARKREADER") == 0
                              ? " here: run Spark datasets with --manifest FILE or --spark"
                              : "");
    else if (engine_type != NULL && strcasecmp(engine_type, "Lambda") != 0 &&
             strcasecmp(engine_type, "LAMBDA_AND_SAGEMAKER") != 0)
        rc = ld_error_set(error, LD_ERR_UNSUPPORTED,
                          "%s: computeEngine.computeEngineType '%s' is not run by "
                          "this runner (Lambda and LAMBDA_AND_SAGEMAKER are)",
                          path, engine_type);
    if (rc == LD_OK) {
        snprintf(dataset->reader, sizeof dataset->reader, "%s", reader ? reader : "");
        const char *name = json_string_value(json_object_get(config, "datasetName"));
        snprintf(dataset->name, sizeof dataset->name, "%s", name ? name : "");
        dataset->lists_files = (reader == NULL || strcmp(reader, "single-file") == 0) &&
                               manifest_type != NULL &&
                               strcmp(manifest_type, "S3ReaderTextManifestFile") == 0;
        dataset->sagemaker = engine_type != NULL &&
                             strcasecmp(engine_type, "LAMBDA_AND_SAGEMAKER") == 0;
        json_int_t concurrency = json_integer_value(json_object_get(
            json_object_get(json_object_get(engine, "endpoint"), "sagemakerServerless"),
            "sagemakerEndpointConcurrency"));
        dataset->endpoint_concurrency = concurrency > 0 && concurrency <= 256 ? (unsigned)concurrency : 0;
    }
    json_decref(config);
    return rc;
}

int ldrun_is_json_file(const char *path)
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
