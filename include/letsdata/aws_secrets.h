/*
 * letsdata/aws_secrets.h - AWS Secrets Manager and the SecretManagerUtil helpers.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_AWS_SECRETS_H
#define LETSDATA_AWS_SECRETS_H

/**
 * @file letsdata/aws_secrets.h
 * @brief GetSecretValue, and the C equivalents of the official SDK's `SecretManagerUtil`:
 * get_secrets_value() and get_spark_aws_credentials() (the secret layout Spark tasks
 * receive: `{"mapper": {"read": C, "write": C}, "reducer": {...}}`, each C holding
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN).
 *
 * When the secret id is an ARN, the request goes to the ARN's region whatever the
 * client's region is.
 */

#include <letsdata/aws.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * GetSecretValue (the current version).
 *
 * @param secret_id     a secret name or ARN (borrowed).
 * @param[out] secret_string new string (free with ld_free()): the SecretString.
 * @return LD_OK; LD_ERR_NOT_FOUND (ResourceNotFoundException); LD_ERR_UNSUPPORTED (the
 *         secret holds SecretBinary only); LD_ERR_IO.
 */
LD_EXTERN int ld_secrets_get_secret_value(ld_aws_client *client, const char *secret_id,
                                          char **secret_string, ld_aws_error *error);

/**
 * `SecretManagerUtil.get_secrets_value(arn)` for @p region: a client with the default
 * credentials chain, then GetSecretValue. Unlike the Python helper nothing is cached:
 * keep the value if you need it again.
 *
 * @param region NULL: the ARN's region, else ld_aws_resolve_region().
 * @param[out] secret_string new string (free with ld_free()).
 */
LD_EXTERN int ld_secrets_get_secrets_value(const char *region, const char *secret_arn,
                                           char **secret_string, ld_aws_error *error);

/**
 * `SecretManagerUtil.get_spark_aws_credentials(region, arn, method, destination)`: the
 * credentials a Spark task uses for one side of its work.
 *
 * @param method_name       "mapper" or "reducer".
 * @param destination_type  "read" or "write".
 * @param[out] credentials  new credentials (free with ld_aws_credentials_free()); their
 *                          source reads "secret ARN mapper.read".
 * @return LD_OK; LD_ERR_INVALID (a bad method or destination, a secret that is not JSON
 *         or lacks the member or one of the three keys, named in the message);
 *         the errors of ld_secrets_get_secrets_value().
 */
LD_EXTERN int ld_secrets_get_spark_aws_credentials(const char *region, const char *secret_arn,
                                                   const char *method_name,
                                                   const char *destination_type,
                                                   ld_aws_credentials **credentials,
                                                   ld_aws_error *error);

/** As ld_secrets_get_spark_aws_credentials(), over a client the caller already has. */
LD_EXTERN int ld_secrets_get_spark_aws_credentials_with(ld_aws_client *client,
                                                        const char *secret_arn,
                                                        const char *method_name,
                                                        const char *destination_type,
                                                        ld_aws_credentials **credentials,
                                                        ld_aws_error *error);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_AWS_SECRETS_H */
