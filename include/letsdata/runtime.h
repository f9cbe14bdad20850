/*
 * letsdata/runtime.h - the thin runtime that serves LetsData invocations
 * (libletsdata-runtime; link with `pkg-config --libs letsdata-runtime`).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_RUNTIME_H
#define LETSDATA_RUNTIME_H

/**
 * @file letsdata/runtime.h
 * @brief Turn a LetsData request into a call of a registered handler and its result
 * into the response envelope; run the transports (one-shot, batch, local HTTP, AWS
 * Lambda Runtime API).
 *
 * Most users never call these functions directly: they either build a handler shared
 * object for `letsdata-runtime --handler`, or link a single `bootstrap` executable with
 * LD_RUNTIME_MAIN(). Tests and embedders use ld_runtime_invoke().
 */

#include <stddef.h>
#include <stdint.h>

#include <letsdata/common.h>
#include <letsdata/registry.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A response envelope. Initialise with LD_RESPONSE_INIT, release with ld_response_clear(). */
typedef struct ld_response {
    /** 200 for the SUCCESS envelope, 500 for the EXCEPTION envelope. */
    int status_code;
    /** The envelope's JSON text (NUL-terminated), owned by the struct. */
    char *body;
    /** strlen(body). */
    size_t body_length;
} ld_response;

/** Initialiser for ld_response. */
#define LD_RESPONSE_INIT { 0, NULL, 0 }

/** Free the body and reset @p response. */
LD_EXTERN void ld_response_clear(ld_response *response);

/** Per-invocation settings; initialise with LD_INVOKE_OPTIONS_INIT. */
typedef struct ld_invoke_options {
    /** LD_INVOKE_OPTIONS_VERSION. */
    int version;
    /** Deadline in ms since the Unix epoch (0: none); handlers see it in their context. */
    int64_t deadline_ms;
} ld_invoke_options;

/** The version of ld_invoke_options this header describes. */
#define LD_INVOKE_OPTIONS_VERSION 1
/** Initialiser for ld_invoke_options. */
#define LD_INVOKE_OPTIONS_INIT { LD_INVOKE_OPTIONS_VERSION, 0 }

/**
 * Serve one invocation: parse and validate @p request as the wire protocol says, call
 * the registered handler, and write the SUCCESS or EXCEPTION envelope to @p response.
 *
 * Bad requests, unimplemented functions and handler failures are not errors of this
 * function: they produce the EXCEPTION envelope (status_code 500).
 *
 * @param registry borrowed.
 * @param request  the request bytes (need not be NUL-terminated; may contain anything).
 * @param options  optional (NULL for defaults).
 * @param[out] response initialised by the caller; filled on LD_OK.
 * @return LD_OK, or LD_ERR_NOMEM when not even an error envelope could be built.
 */
LD_EXTERN int ld_runtime_invoke(const ld_registry *registry, const char *request,
                                size_t request_length, const ld_invoke_options *options,
                                ld_response *response);

/**
 * The `letsdata-runtime` command line, with handlers registered by @p register_handlers
 * (may be NULL when `--handler` is given on the command line). See
 * `letsdata-runtime --help` and docs/runtime.md.
 *
 * @return the process exit status.
 */
LD_EXTERN int ld_runtime_main(int argc, char **argv, ld_register_fn register_handlers);

/**
 * Define main() for a single executable (such as the Lambda `bootstrap`) serving the
 * handlers registered by @p register_fn.
 */
#define LD_RUNTIME_MAIN(register_fn)                                           \
    int main(int argc, char **argv) { return ld_runtime_main(argc, argv, register_fn); }

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_RUNTIME_H */
