/*
 * fake.h - run tests/aws/fake_aws.py (the verifying S3 / Secrets Manager / SageMaker
 * stand-in) beside a test, and talk to its admin API.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDT_AWS_FAKE_H
#define LDT_AWS_FAKE_H

#include <sys/types.h>

#include <jansson.h>

/** The keys every fake knows. */
#define FAKE_KEY "AKIDFAKE"
#define FAKE_SECRET "fake-secret-key"
#define FAKE_TOKEN_KEY "ASIAFAKE"
#define FAKE_TOKEN_SECRET "fake-session-secret"
#define FAKE_TOKEN "fake-session-token/with+odd=chars"
#define FAKE_REGION "eu-west-3"
#define FAKE_BUCKET "test-bucket"

typedef struct fake_aws {
    pid_t pid;
    int stdin_fd;  /* closing it stops the server */
    unsigned port;
    char url[64];  /* http://127.0.0.1:PORT */
} fake_aws;

/**
 * Start the server (python3 from $LD_PYTHON, script from $LD_FAKE_AWS) with the keys
 * above, region FAKE_REGION and bucket FAKE_BUCKET, plus @p extra arguments (NULL-ended,
 * may be NULL). @return 0, or -1 (the reason on stderr).
 */
int fake_aws_start(fake_aws *fake, const char *const *extra);

/** Stop and reap the server. */
void fake_aws_stop(fake_aws *fake);

/**
 * An admin call: METHOD /__admin/WHAT with @p body. @return the HTTP status; *answer
 * (if not NULL) gets the parsed JSON answer (new reference) or NULL.
 */
long fake_admin(const fake_aws *fake, const char *method, const char *what, const char *body,
                json_t **answer);

/** Inject a fault: {"method":..., "path": regex, "action": "500"|"503"|"reset", ...}. */
void fake_fault(const fake_aws *fake, const char *json);

/** The request log (new reference), and clearing it. */
json_t *fake_log(const fake_aws *fake);
void fake_log_clear(const fake_aws *fake);

/** Entries of the log whose method is @p method and path matches exactly @p path. */
size_t fake_log_count(const fake_aws *fake, const char *method, const char *path);

#endif
