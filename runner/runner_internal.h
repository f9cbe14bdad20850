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

#include "runtime_internal.h"

/** The vector stage's counts (vectorize.h), per stage of the chain. */
typedef struct ldrun_vector_counts {
    uint64_t documents;          /**< SUCCESS documents that entered the chain */
    uint64_t extract_failures;   /**< extractDocumentElementsForVectorization failed */
    uint64_t texts;              /**< texts sent to the vectorizer */
    uint64_t requests;           /**< requests made (retries included) */
    uint64_t retries;            /**< of those, retries */
    uint64_t vectorize_errors;   /**< documents with a text that got no good vector */
    uint64_t construct_failures; /**< constructVectorDoc failed */
    uint64_t constructed;        /**< documents constructVectorDoc returned */
} ldrun_vector_counts;

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
    ldrun_vector_counts vectors; /**< the vector stage, when on */
} ldrun_counts;

typedef struct ldrun_child ldrun_child;

/** Size of the documents file's stdio buffer. */
#define LDRUN_WRITE_BUFFER (1u << 20)

/** Where a task's results go: DIR/PREFIXdocuments.jsonl, ...errors.jsonl, ...skipped.jsonl. */
typedef struct ldrun_output {
    FILE *documents, *errors, *skipped;
    char *write_buffer; /**< the documents file's stdio buffer */
    ldrt_buf line;      /**< the JSON line being written, reused */
    ldrun_counts counts;
    int continue_on_error; /**< record handler failures as errors and go on */
    ldrun_child *child;    /**< --isolate: the process that calls the handler (child.c) */
    char paths[3][4200];   /**< the files' paths, to name them in errors */
    struct ldvec_stage *vectors; /**< SUCCESS documents go here first (vectorize.h) */
} ldrun_output;

/** The path of @p f (one of @p out's files), for messages. */
const char *ldrun_output_path(const ldrun_output *out, const FILE *f);

/**
 * Status of a task or a run that stopped because SIGINT/SIGTERM asked it to (after the
 * record in flight). Not an ld_status: the runner's own.
 */
#define LDRUN_STOPPED 100

/** The signal that asked the run to stop (0: none). Async-signal-safe to set. */
/**
 * json_dumpf() / json_dump_file() with reals spelled as the reference spells them
 * (ld_json_dumps()). @return 0, or -1 with errno set.
 */
int ldrun_json_dumpf(const json_t *json, FILE *stream, size_t flags);
int ldrun_json_dump_file(const json_t *json, const char *path, size_t flags);

int ldrun_stop_signal(void);
/** Ask the run to stop after the records in flight (what the signal handlers do). */
void ldrun_request_stop(int signal_number);
/** Catch SIGINT and SIGTERM for the duration of a run (see interrupt.c). */
void ldrun_interrupt_install(void);
void ldrun_interrupt_restore(void);

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

/**
 * Call parseDocument on buffer[start, end) (the record at @p offset of @p job's file) and
 * route the result or the failure to @p out, in this process. @p where locates the record
 * in messages. @return LD_OK or an error (the task stops).
 */
int ldrun_parse_record(const ldrun_file_job *job, int64_t offset, const char *buffer,
                       size_t start, size_t end, const char *where, ldrun_output *out,
                       ld_error *error);

/**
 * Hand one JSON Lines record (@p line, line @p number of @p path; parsed and validated
 * here) to the registered record reader and route what comes back, in this process.
 * @return LD_OK or an error (the task stops).
 */
int ldrun_read_record(const ld_registry *registry, ld_interface interface_id, ld_context *ctx,
                      const char *path, unsigned long number, const char *line,
                      size_t length, ldrun_output *out, ld_error *error);

/** Line-level checkpoints of a JSON Lines task (see tasks.c). */
typedef struct ldrun_jsonl_progress {
    unsigned long skip_lines;  /**< resuming: lines already done */
    /** Called every few thousand lines with the last line done; the outputs are flushed. */
    int (*save)(void *payload, unsigned long lines_done, ldrun_output *out, ld_error *error);
    void *payload;
    unsigned long *lines_done; /**< out: lines finished when the reader returned */
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

/** What a dataset configuration JSON says (dataset.c). */
typedef struct ldrun_dataset {
    char name[256];     /**< datasetName */
    char reader[32];    /**< the --reader it means ("" when it names none) */
    int lists_files;    /**< its manifestFile is an S3ReaderTextManifestFile (--manifest) */
    int sagemaker;      /**< computeEngineType LAMBDA_AND_SAGEMAKER: the vector chain */
    unsigned endpoint_concurrency; /**< sagemakerEndpointConcurrency, 0 when absent */
} ldrun_dataset;

/** Read the dataset configuration @p path. @return LD_OK or an error naming the field. */
int ldrun_dataset_read(const char *path, ldrun_dataset *dataset, ld_error *error);

/** Non-zero when @p path is a JSON object (a dataset configuration, not a file list). */
int ldrun_is_json_file(const char *path);

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
    int isolate;               /**< call the handler in child processes (child.c) */
    unsigned timeout_ms;       /**< with isolate: stop a call after this long (0: never) */
    struct ldvec_vectorizer *vectorizer; /**< LAMBDA_AND_SAGEMAKER chain, or NULL */
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
    unsigned long resume_lines; /**< JSON Lines: lines merged before an interruption */
    unsigned long lines_done;   /**< JSON Lines: lines finished when the task stopped */
} ldrun_task;

/** What a run kept, for the summary. */
typedef struct ldrun_run_result {
    ldrun_counts total;  /**< counts of what the result files hold (the whole run) */
    json_t *per_file;    /**< new: per input, its counts (whole run, resumed parts too) */
    int started;         /**< 0: refused before anything was written */
    size_t completed;    /**< tasks whose results are all kept */
    const char *failed;  /**< the input of the task that failed (borrowed), or NULL */
    double seconds;      /**< earlier runs' seconds, when resumed */
    unsigned runs;       /**< 1, plus the number of times it was resumed */
} ldrun_run_result;

/**
 * Run @p tasks on plan->jobs threads, merging results into OUT/{documents,errors,
 * skipped}.jsonl in task order and checkpointing after each merge (see tasks.c).
 * A --resume whose checkpoint is missing or belongs to other inputs is refused before
 * anything is written (result->started stays 0).
 * @return LD_OK, LDRUN_STOPPED (a signal), or the first failure in task order.
 */
int ldrun_run_tasks(const ldrun_plan *plan, ldrun_task *tasks, size_t count,
                    ldrun_run_result *result, ld_error *error);

/** The counts as JSON (a new reference). */
json_t *ldrun_counts_json(const ldrun_counts *counts);
/** Counts from ldrun_counts_json()'s form (members missing: 0). */
void ldrun_counts_from_json(const json_t *json, ldrun_counts *counts);

/* ---- --isolate: the handler in a child process (child.c) ---- */

/**
 * A child process that calls the handlers of @p registry for one worker thread: records
 * go to it over a socket and the routed results come back, so that a handler that
 * crashes (or overstays @p timeout_ms, 0 = no limit) costs one record, which becomes a
 * handler failure naming the signal. The process is started on first use and again
 * after a crash. @return new (ldrun_child_free), or NULL when out of memory.
 */
ldrun_child *ldrun_child_new(const ld_registry *registry, int continue_on_error,
                             unsigned timeout_ms);
/** Stop the process (it finishes the record in flight) and free @p child. */
void ldrun_child_free(ldrun_child *child);

/**
 * Wait for the answers to every record handed to @p out->child and apply them to @p out
 * (records are pipelined: ldrun_child_parse_record() and ldrun_child_read_record()
 * return before their record's answer is in). Call it before using out's files or
 * counts. @return LD_OK, or the failure of a record (the task stops).
 */
int ldrun_child_flush(ldrun_output *out, ld_error *error);
/** Drop the records in flight and stop the process (a task that failed otherwise). */
void ldrun_child_abandon(ldrun_child *child);

/** ldrun_parse_record(), run in @p out->child; the results reach @p out in order, by
 *  this or a later call, or ldrun_child_flush(). */
int ldrun_child_parse_record(const ldrun_file_job *job, int64_t offset, const char *buffer,
                             size_t start, size_t end, const char *where, ldrun_output *out,
                             ld_error *error);
/** ldrun_read_record(), run in @p out->child. */
int ldrun_child_read_record(ld_interface interface_id, const char *path, unsigned long number,
                            const char *line, size_t length, ldrun_output *out,
                            ld_error *error);

#endif /* LDRUN_RUNNER_INTERNAL_H */
