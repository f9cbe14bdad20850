/*
 * consumer_cmake.c - built by tests/install/cmake with find_package(letsdata): serves a
 * request with the handler through the runtime (letsdata::runtime) and checks the
 * envelope with the testing kit (letsdata::testing). Run without LD_LIBRARY_PATH: the
 * imported targets carry the library locations.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include <letsdata/testing.h>
#ifdef WITH_AWS
#include <letsdata/aws.h>
#endif

#include "consumer_handler.h"

int main(void)
{
    ld_registry *registry = ld_registry_new();
    if (registry == NULL || consumer_register(registry) != LD_OK)
        return 1;
    json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "streamArn",
                             "arn:aws:kinesis:us-east-1:1:stream/s", "shardId", "s",
                             "partitionKey", "pk", "sequenceNumber", "42",
                             "approximateArrivalTimestamp", 1, "data", "caf\xC3\xA9");
    char *request = ld_testing_request("KinesisRecordReader", "parseMessage", data);
    json_t *envelope = request ? ld_testing_invoke(registry, request, strlen(request)) : NULL;
    char *report = NULL;
    int ok = ld_testing_json_match_report(
        "{\"StatusCode\":200,\"headers\":{\"Content-Type\":\"application/json\"},\"body\":{"
        "\"statusCode\":\"SUCCESS\",\"data\":{\"status\":\"SUCCESS\",\"nextRecordType\":null,"
        "\"document\":{\"documentType\":\"Document\",\"documentId\":\"42\",\"recordType\":"
        "\"TEXT\",\"partitionKey\":\"pk\",\"documentMetadata\":null,\"documentKeyValuesMap\":"
        "{\"text\":\"caf\\u00e9\",\"score\":6.77}}}}}",
        envelope, &report);
    if (!ok)
        fprintf(stderr, "consumer_cmake: %s\n", report ? report : "no envelope");
#ifdef WITH_AWS
    ld_aws_credentials_free(NULL);
#endif
    printf("consumer_cmake: libletsdata %s via find_package(letsdata): %s\n", ld_version(),
           ok ? "envelope matches" : "MISMATCH");
    ld_free(report);
    json_decref(envelope);
    ld_free(request);
    json_decref(data);
    ld_registry_free(registry);
    return ok ? 0 : 1;
}
