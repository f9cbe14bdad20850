/*
 * batches.h - records of one file parsed on several threads, results kept in order
 * (private; see batches.c).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRUN_BATCHES_H
#define LDRUN_BATCHES_H

#include "runner_internal.h"

typedef struct ldrun_batches ldrun_batches;

/**
 * Parse the records of @p job on @p threads threads (the caller's among them), writing
 * the results to @p out in record order. @p job and @p out are borrowed until
 * ldrun_batches_finish(). @return new, or NULL when out of memory (then parse in line).
 */
ldrun_batches *ldrun_batches_new(const ldrun_file_job *job, ldrun_output *out,
                                 unsigned threads);

/** A record: @p length bytes (copied) at byte @p offset of the file. @return LD_OK, or
 * the error of an earlier record that stopped the task. */
int ldrun_batches_record(ldrun_batches *b, uint64_t offset, const char *data, size_t length,
                         ld_error *error);

/** A record that cannot be parsed (see ldrun_record_error()), in its place. */
int ldrun_batches_record_error(ldrun_batches *b, uint64_t start, uint64_t end,
                               const char *message, ld_error *error);

/**
 * Parse what is left, write every result in order, stop the threads and free @p b.
 * @p rc: the caller's status (not LD_OK: results not yet written are dropped).
 * @return @p rc if not LD_OK, else the first record's error in order, else LD_OK.
 */
int ldrun_batches_finish(ldrun_batches *b, int rc, ld_error *error);

/** The ErrorDoc of a record that cannot be handed to the parser (split.c). */
int ldrun_record_error(ldrun_output *out, const ldrun_file_job *job, uint64_t start,
                       uint64_t end, const char *message, ld_error *error);

#endif /* LDRUN_BATCHES_H */
