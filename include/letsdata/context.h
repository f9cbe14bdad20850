/*
 * letsdata/context.h - the per-invocation context every handler method receives.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_CONTEXT_H
#define LETSDATA_CONTEXT_H

/**
 * @file letsdata/context.h
 * @brief Who is calling (requestId, letsdataAuth) and how to fail the call.
 *
 * The runtime creates one context per invocation and passes it as the first argument
 * of every interface method. Through it a handler can see the request id and the
 * caller's letsdataAuth (which the official SDKs do not hand to handlers), the time
 * left before the invocation's deadline, and fail the call:
 *
 * @code
 * if (!url)
 *     return ld_context_fail(ctx, "ValueError", "WARC-Target-URI header is missing");
 * @endcode
 *
 * A failed call answers the EXCEPTION envelope with the given error type and message.
 * The context is borrowed by the handler: valid only during the call, never freed by it.
 */

#include <stdint.h>

#include <letsdata/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An opaque invocation context. */
typedef struct ld_context ld_context;

/**
 * Create a context (the runtime, the local runner and tests do this; handlers do not).
 *
 * All strings are copied; NULL is stored as "".
 *
 * @return a new context (free with ld_context_free()), or NULL on allocation failure.
 */
LD_EXTERN ld_context *ld_context_new(const char *request_id, const char *tenant_id,
                                     const char *user_id, const char *dataset_name,
                                     const char *dataset_id);

/** Free a context. NULL is ignored. */
LD_EXTERN void ld_context_free(ld_context *ctx);

/** The request's requestId; borrowed, never NULL. */
LD_EXTERN const char *ld_context_request_id(const ld_context *ctx);
/** letsdataAuth.tenantId; borrowed, never NULL. */
LD_EXTERN const char *ld_context_tenant_id(const ld_context *ctx);
/** letsdataAuth.userId; borrowed, never NULL. */
LD_EXTERN const char *ld_context_user_id(const ld_context *ctx);
/** letsdataAuth.datasetName; borrowed, never NULL. */
LD_EXTERN const char *ld_context_dataset_name(const ld_context *ctx);
/** letsdataAuth.datasetId; borrowed, never NULL. */
LD_EXTERN const char *ld_context_dataset_id(const ld_context *ctx);

/**
 * Set the invocation deadline, in milliseconds since the Unix epoch (Lambda's
 * Lambda-Runtime-Deadline-Ms); 0 means none.
 */
LD_EXTERN void ld_context_set_deadline_ms(ld_context *ctx, int64_t deadline_ms);

/** The deadline set with ld_context_set_deadline_ms(), 0 when none. */
LD_EXTERN int64_t ld_context_deadline_ms(const ld_context *ctx);

/**
 * Milliseconds left before the deadline (negative once it has passed), or INT64_MAX
 * when there is no deadline.
 */
LD_EXTERN int64_t ld_context_remaining_ms(const ld_context *ctx);

/**
 * Fail the current call.
 *
 * The first failure wins: later calls are ignored, so a helper deep in the handler
 * can fail with a precise message and its callers can fail generically.
 *
 * @param error_type a short name of the kind of failure (e.g. "ValueError"); copied;
 *                   NULL means "HandlerError".
 * @param format     printf-style message; the formatted text is copied.
 * @return LD_ERR_HANDLER, so `return ld_context_fail(...)` ends a method.
 */
LD_EXTERN int ld_context_fail(ld_context *ctx, const char *error_type, const char *format,
                              ...) LD_PRINTF(3, 4);

/** Non-zero once ld_context_fail() has been called. */
LD_EXTERN int ld_context_failed(const ld_context *ctx);

/** The failure's error type; borrowed, NULL when the call has not failed. */
LD_EXTERN const char *ld_context_error_type(const ld_context *ctx);

/** The failure's message; borrowed, NULL when the call has not failed. */
LD_EXTERN const char *ld_context_error_message(const ld_context *ctx);

/** Forget a failure so the context can be reused for another call. */
LD_EXTERN void ld_context_clear_error(ld_context *ctx);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_CONTEXT_H */
