/*
 * net.h - the network transports, loaded only when used (private).
 *
 * libmicrohttpd with its TLS stack takes milliseconds and megabytes to load, more than
 * the whole cost of a one-shot invocation. So libletsdata-runtime does not link it: the
 * HTTP endpoint lives in the module libletsdata-runtime-net.so, which these wrappers
 * dlopen the first time `serve` needs it. The Lambda loop needs no library (it has its
 * own HTTP/1.1 client, http1_client.h) and is always linked in. A program that links
 * the transports in (tests) calls them directly: the wrappers find them through weak
 * references.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRT_NET_H
#define LDRT_NET_H

#include "transport.h"

/** ldrt_http_serve(), from wherever it is. @return the process exit status. */
int ldrt_net_http_serve(const ld_registry *registry, const ldrt_http_options *options,
                        ld_error *error);

/** ldrt_lambda_serve(), from wherever it is. @return the process exit status. */
int ldrt_net_lambda_serve(const ld_registry *registry, const ldrt_lambda_options *options,
                          ld_error *error);

/** ldrt_lambda_report_init_error(), from wherever it is. @return LD_OK or an error. */
int ldrt_net_report_init_error(const char *runtime_api, const char *error_type,
                               const char *message);

struct ldrt_http_client_api;
/**
 * The HTTP client (net_client.h), from wherever it is: loads libletsdata-runtime-curl.so
 * (libcurl) on first use, not the transports' module.
 * @return the borrowed function table, or NULL with @p error saying why.
 */
const struct ldrt_http_client_api *ldrt_net_http_client(ld_error *error);

/** The HTTP client's module, and the variable naming its path explicitly. */
#define LDRT_CURL_MODULE_NAME "libletsdata-runtime-curl.so"
#define LDRT_CURL_MODULE_ENV "LETSDATA_RUNTIME_CURL"

/** Environment variable naming the module's path explicitly. */
#define LDRT_NET_MODULE_ENV "LETSDATA_RUNTIME_NET"
/** The module's file name. */
#define LDRT_NET_MODULE_NAME "libletsdata-runtime-net.so"

#endif /* LDRT_NET_H */
