/*
 * isolate.h - run one invocation in a child process (private), so that a handler that
 * crashes or never returns costs that invocation only.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRT_ISOLATE_H
#define LDRT_ISOLATE_H

#include <letsdata/runtime.h>

/** How an isolated invocation ended. */
typedef enum ldrt_isolate_outcome {
    LDRT_ISOLATE_OK = 0,      /**< the child answered; @c response holds its envelope */
    LDRT_ISOLATE_CRASHED = 1, /**< the child died (signal or exit) before answering */
    LDRT_ISOLATE_TIMEOUT = 2, /**< the child was killed after timeout_ms */
    LDRT_ISOLATE_ERROR = 3    /**< fork/pipe failed, or out of memory */
} ldrt_isolate_outcome;

/**
 * ld_runtime_invoke() in a forked child. On every outcome @p response is filled: the
 * child's envelope, or an EXCEPTION envelope describing the crash/timeout/error
 * (errorType "Runtime.HandlerCrashed", "Runtime.HandlerTimeout" or "Runtime.Error").
 * @param timeout_ms 0 for no limit.
 * @param[out] description optional; what happened, e.g. "killed by SIGSEGV (Segmentation fault)".
 */
ldrt_isolate_outcome ldrt_invoke_isolated(const ld_registry *registry, const char *request,
                                          size_t length, const ld_invoke_options *options,
                                          unsigned timeout_ms, ld_response *response,
                                          char *description, size_t description_size);

/**
 * Children forked by ldrt_invoke_isolated() close @p fd right after fork (at most 8 such
 * descriptors): for the parent's listening socket, which a hanging child would otherwise
 * keep bound after the server exits. Thread-safe.
 */
void ldrt_isolate_close_in_children(int fd);

/** Undo ldrt_isolate_close_in_children() for @p fd (before the parent closes it). */
void ldrt_isolate_forget(int fd);

#endif /* LDRT_ISOLATE_H */
