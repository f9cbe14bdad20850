/*
 * context.c - the per-invocation context (letsdata/context.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <letsdata/context.h>

struct ld_context {
    char *request_id;
    char *tenant_id;
    char *user_id;
    char *dataset_name;
    char *dataset_id;
    int64_t deadline_ms;
    char *error_type;    /* NULL until the call fails */
    char *error_message;
    int failed;          /* set even when copying the message ran out of memory */
};

static char *copy_or_empty(const char *s)
{
    return ld_strdup(s != NULL ? s : "");
}

LD_EXTERN ld_context *ld_context_new(const char *request_id, const char *tenant_id,
                                     const char *user_id, const char *dataset_name,
                                     const char *dataset_id)
{
    ld_context *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return NULL;
    ctx->request_id = copy_or_empty(request_id);
    ctx->tenant_id = copy_or_empty(tenant_id);
    ctx->user_id = copy_or_empty(user_id);
    ctx->dataset_name = copy_or_empty(dataset_name);
    ctx->dataset_id = copy_or_empty(dataset_id);
    if (!ctx->request_id || !ctx->tenant_id || !ctx->user_id || !ctx->dataset_name ||
        !ctx->dataset_id) {
        ld_context_free(ctx);
        return NULL;
    }
    return ctx;
}

LD_EXTERN void ld_context_free(ld_context *ctx)
{
    if (ctx == NULL)
        return;
    free(ctx->request_id);
    free(ctx->tenant_id);
    free(ctx->user_id);
    free(ctx->dataset_name);
    free(ctx->dataset_id);
    free(ctx->error_type);
    free(ctx->error_message);
    free(ctx);
}

LD_EXTERN const char *ld_context_request_id(const ld_context *ctx) { return ctx->request_id; }
LD_EXTERN const char *ld_context_tenant_id(const ld_context *ctx) { return ctx->tenant_id; }
LD_EXTERN const char *ld_context_user_id(const ld_context *ctx) { return ctx->user_id; }
LD_EXTERN const char *ld_context_dataset_name(const ld_context *ctx) { return ctx->dataset_name; }
LD_EXTERN const char *ld_context_dataset_id(const ld_context *ctx) { return ctx->dataset_id; }

LD_EXTERN void ld_context_set_deadline_ms(ld_context *ctx, int64_t deadline_ms)
{
    ctx->deadline_ms = deadline_ms > 0 ? deadline_ms : 0;
}

LD_EXTERN int64_t ld_context_deadline_ms(const ld_context *ctx)
{
    return ctx->deadline_ms;
}

LD_EXTERN int64_t ld_context_remaining_ms(const ld_context *ctx)
{
    if (ctx->deadline_ms == 0)
        return INT64_MAX;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    return ctx->deadline_ms - now_ms;
}

LD_EXTERN int ld_context_fail(ld_context *ctx, const char *error_type, const char *format,
                              ...)
{
    if (ctx == NULL || ctx->failed)
        return LD_ERR_HANDLER;
    ctx->failed = 1;
    ctx->error_type = ld_strdup(error_type != NULL ? error_type : "HandlerError");

    va_list ap;
    va_start(ap, format);
    char *message = NULL;
    if (format == NULL || vasprintf(&message, format, ap) < 0)
        message = NULL;
    va_end(ap);
    ctx->error_message = message;
    /* Out of memory while failing: the call still fails; the runtime reports the
     * missing text as an allocation failure rather than inventing a message. */
    return LD_ERR_HANDLER;
}

LD_EXTERN int ld_context_failed(const ld_context *ctx)
{
    return ctx != NULL && ctx->failed;
}

LD_EXTERN const char *ld_context_error_type(const ld_context *ctx)
{
    if (ctx == NULL || !ctx->failed)
        return NULL;
    return ctx->error_type != NULL ? ctx->error_type : "HandlerError";
}

LD_EXTERN const char *ld_context_error_message(const ld_context *ctx)
{
    if (ctx == NULL || !ctx->failed)
        return NULL;
    return ctx->error_message != NULL ? ctx->error_message
                                      : "the handler failed (its message could not be stored: out of memory)";
}

LD_EXTERN void ld_context_clear_error(ld_context *ctx)
{
    if (ctx == NULL)
        return;
    free(ctx->error_type);
    free(ctx->error_message);
    ctx->error_type = NULL;
    ctx->error_message = NULL;
    ctx->failed = 0;
}
