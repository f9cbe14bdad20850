/*
 * letsdata/arn.h - Amazon Resource Name parsing.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_ARN_H
#define LETSDATA_ARN_H

/**
 * @file letsdata/arn.h
 * @brief Split an ARN (`arn:partition:service:region:account-id:resource`) into parts.
 *
 * The resource part may be `type/id`, `type:id` or just `id`; for
 * `arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2023-08-01T03:03:57.926` the
 * resource type is "table" and the resource id "T/stream/2023-08-01T03:03:57.926".
 */

#include <letsdata/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A parsed ARN; opaque, free with ld_arn_free(). */
typedef struct ld_arn ld_arn;

/**
 * Parse @p text.
 *
 * Rules: the prefix "arn", a non-empty partition, service and resource; region and
 * account id may be empty (as in S3 ARNs); no control characters.
 *
 * @param[out] out   a new ld_arn on success, NULL otherwise.
 * @param error      optional; says which part was wrong.
 * @return LD_OK, LD_ERR_INVALID or LD_ERR_NOMEM.
 */
LD_EXTERN int ld_arn_parse(const char *text, ld_arn **out, ld_error *error);

/** Free an ARN. NULL is ignored. */
LD_EXTERN void ld_arn_free(ld_arn *arn);

/** "aws", "aws-cn", ...; borrowed. */
LD_EXTERN const char *ld_arn_partition(const ld_arn *arn);
/** "kinesis", "dynamodb", ...; borrowed. */
LD_EXTERN const char *ld_arn_service(const ld_arn *arn);
/** The region; borrowed, may be "". */
LD_EXTERN const char *ld_arn_region(const ld_arn *arn);
/** The account id; borrowed, may be "". */
LD_EXTERN const char *ld_arn_account_id(const ld_arn *arn);
/** The whole resource part; borrowed. */
LD_EXTERN const char *ld_arn_resource(const ld_arn *arn);
/** The resource type ("stream", "table", ...); borrowed, NULL when the resource has none. */
LD_EXTERN const char *ld_arn_resource_type(const ld_arn *arn);
/** The resource id (after the type and its separator); borrowed. */
LD_EXTERN const char *ld_arn_resource_id(const ld_arn *arn);

/**
 * The ARN as text (equal to the parsed text).
 * @return a new string (free with ld_free()), or NULL on allocation failure.
 */
LD_EXTERN char *ld_arn_to_string(const ld_arn *arn);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_ARN_H */
