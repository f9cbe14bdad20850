/*
 * runner_internal.h - what the local runner's files share (private).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRUN_RUNNER_INTERNAL_H
#define LDRUN_RUNNER_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include <letsdata/letsdata.h>

/** Counts reported in the summary. */
typedef struct ldrun_counts {
    uint64_t files;
    uint64_t records;
    uint64_t success;
    uint64_t error;
    uint64_t skip;
    uint64_t handler_failures; /**< calls that failed (EXCEPTION on Lambda) */
    uint64_t bytes_read;       /**< decompressed bytes scanned */
    uint64_t bytes_in_records; /**< of those, bytes handed to the parser as records */
} ldrun_counts;

/** Where a task's results go: DIR/PREFIXdocuments.jsonl, ...errors.jsonl, ...skipped.jsonl. */
typedef struct ldrun_output {
    FILE *documents, *errors, *skipped;
    ldrun_counts counts;
    int continue_on_error; /**< record handler failures as errors and go on */
} ldrun_output;

int ldrun_output_open(ldrun_output *out, const char *dir, const char *prefix, int append,
                      ld_error *error);

/** The three result files, in this order everywhere. */
extern const char *const ldrun_result_files[3];
/** Close the files. @return LD_OK or LD_ERR_IO when a write was lost. */
int ldrun_output_close(ldrun_output *out, ld_error *error);

/**
 * Route one result: SUCCESS -> documents (ld_document_serialize), ERROR -> errors
 * (the ErrorDoc's wire JSON), SKIP -> counted (and its SkipDoc, if any, to skipped).
 * An invalid result is a handler failure. @return LD_OK or an error.
 */
int ldrun_route(ldrun_output *out, ld_parse_document_result *result, const char *where,
                ld_error *error);

/**
 * A call failed (@p type, @p message): with continue_on_error it becomes an ErrorDoc
 * (recordType "HANDLER_FAILURE") with the locator in its offset maps; otherwise the
 * run stops. @return LD_OK to go on, LD_ERR_HANDLER to stop (@p error says why).
 */
int ldrun_handler_failed(ldrun_output *out, const char *type, const char *message,
                         json_t *locator, const char *where, ld_error *error);

/** Options of a SingleFileParser run over one file. */
typedef struct ldrun_file_job {
    const ld_single_file_parser *parser;
    ld_context *ctx;
    const char *path;         /**< file to read (gzip or plain) */
    const char *file_name;    /**< the name the handler sees */
    const char *s3_file_type;
    size_t max_record_bytes;
    unsigned threads;         /**< threads the file may use (inflating, splitting) */
} ldrun_file_job;

/** Split @p job's file into records and parse each. @return LD_OK or an error. */
int ldrun_parse_file(const ldrun_file_job *job, ldrun_output *out, ld_error *error);

/** Line-level checkpoints of a JSON Lines task (see tasks.c). */
typedef struct ldrun_jsonl_progress {
    unsigned long skip_lines;  /**< resuming: lines already done */
    /** Called every few thousand lines with the last line done; the outputs are flushed. */
    int (*save)(void *payload, unsigned long lines_done, ldrun_output *out, ld_error *error);
    void *payload;
} ldrun_jsonl_progress;

/**
 * Feed each line of the JSON Lines file @p path (each the `data` of a request to
 * @p interface_id) to the registered record reader. @return LD_OK or an error.
 */
int ldrun_read_jsonl(const ld_registry *registry, ld_interface interface_id,
                     const char *path, ld_context *ctx, ldrun_output *out,
                     const ldrun_jsonl_progress *progress, ld_error *error);

/**
 * The files a manifest names: a plain list (one path per line, relative to the
 * manifest's directory) or a dataset configuration JSON whose manifestFile is an
 * S3ReaderTextManifestFile (fileContents: one S3 key per line) read from the
 * readConnector's bucket, mapped to a local directory with @p bucket_dirs
 * ("BUCKET=DIR" entries; default: a directory named like the bucket).
 * @param[out] paths  new array of new strings (free each and the array).
 * @param[out] names  the entries as the handler's getResolvedS3FileName sees them.
 */
int ldrun_manifest_files(const char *manifest_path, char *const *bucket_dirs,
                         size_t bucket_dir_count, char ***paths, char ***names,
                         size_t *count, ld_error *error);

/** What every task of a run shares. */
typedef struct ldrun_plan {
    const ld_registry *registry;
    ld_interface interface_id;
    const char *file_type;     /**< single-file: the s3FileType */
    size_t max_record_bytes;
    int continue_on_error;
    const char *output_dir;
    unsigned jobs;             /**< worker threads (1-64) */
    int resume;                /**< continue from OUT/checkpoint.json */
    int documents_to_stdout;   /**< SUCCESS documents to stdout instead of a file */
    int progress;              /**< a progress line on stderr (a TTY) */
} ldrun_plan;

/** One input file (a LetsData task). */
typedef struct ldrun_task {
    const char *path;  /**< the file read */
    const char *name;  /**< the name the handler sees */
    /* Filled by the worker: */
    ldrun_counts counts;
    int rc;
    ld_error error;
    int done;
} ldrun_task;

/**
 * Run @p tasks on plan->jobs threads, merging results into OUT/{documents,errors,
 * skipped}.jsonl in task order and checkpointing after each merge (see tasks.c).
 * @param[out] total the counts of the merged tasks (and of a failed one).
 * @param[out] per_file new JSON array of each merged task's counts (may be NULL).
 * @return LD_OK, or the first failure in task order.
 */
int ldrun_run_tasks(const ldrun_plan *plan, ldrun_task *tasks, size_t count,
                    ldrun_counts *total, json_t **per_file, ld_error *error);

/** The counts as JSON (a new reference). */
json_t *ldrun_counts_json(const ldrun_counts *counts);

#endif /* LDRUN_RUNNER_INTERNAL_H */
