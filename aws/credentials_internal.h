/*
 * credentials_internal.h - the credentials object (private).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDAWS_CREDENTIALS_INTERNAL_H
#define LDAWS_CREDENTIALS_INTERNAL_H

#include <time.h>

#include <letsdata/aws.h>

struct ld_aws_credentials {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL when none */
    char *source;
    time_t expires;      /* 0: does not expire */
};

/** Credentials from @p source (named in errors). */
ld_aws_credentials *ldaws_credentials_make(const char *access_key_id,
                                           const char *secret_access_key,
                                           const char *session_token, const char *source,
                                           ld_aws_error *error);

#endif
