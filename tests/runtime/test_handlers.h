/*
 * test_handlers.h - a SingleFileParser whose behaviour is chosen by s3FileType, to
 * drive every handler-failure path of the runtime (shared by runtime and transport tests).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDT_TEST_HANDLERS_H
#define LDT_TEST_HANDLERS_H

#include <letsdata/registry.h>

/**
 * Register the test parser. getRecordStartPattern's behaviour by s3FileType:
 * "ok" -> PATTERN "WARC/1.0"; "fail" -> ld_context_fail("ValueError", ...);
 * "status" -> returns LD_ERR_INVALID without a message; "empty" -> an empty PATTERN;
 * "segv" -> raises SIGSEGV; "abort" -> abort(); "loop" -> sleeps forever.
 * parseDocument by s3FileType: "ok" -> SUCCESS Document; "nodoc" -> SUCCESS without a
 * document; "wrongkind" -> SUCCESS with an ErrorDoc; "error" -> ERROR with ErrorDoc;
 * "context" -> echoes requestId, letsdataAuth, the deadline (deadlineMs) and
 * $_X_AMZN_TRACE_ID (traceId) into the document's key-values.
 * getS3FileType returns NULL (an invalid result); getResolvedS3FileName is unimplemented.
 */
int ldt_register_test_handlers(ld_registry *registry);

#endif /* LDT_TEST_HANDLERS_H */
