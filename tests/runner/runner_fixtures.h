/*
 * runner_fixtures.h - what the runner tests share (runner_fixtures.c).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LD_TESTS_RUNNER_FIXTURES_H
#define LD_TESTS_RUNNER_FIXTURES_H

#include <stddef.h>
#include <sys/types.h>

#include <letsdata/letsdata.h>

/** The scratch directory of the test group (removed by fixtures_teardown). */
extern char dir[256];
/** The example handlers, registered in-process. */
extern ld_registry *examples;
/** The letsdata-runtime executable and the examples' handler module (from argv). */
extern const char *runtime_exe, *examples_module;

/** Group setup/teardown: make and remove @c dir, register the examples. */
int fixtures_setup(void **state);
int fixtures_teardown(void **state);

/** Append one Common Crawl style WET conversion record to *text (realloc'ed). */
void append_record(char **text, size_t *length, unsigned id, const char *body);
/** DIR/name, new (free). */
char *path_in(const char *name);
void write_file(const char *path, const void *data, size_t length);
/** @p parts gzip members, one after the other (as WARC files are written). */
void write_gzip_members(const char *path, const char *data, size_t length, int parts);
/** Write @p files WET files of @p records records each; a new NULL-ended list of paths. */
char **make_crawl(const char *stem, int files, unsigned records);
void free_paths(char **paths);

/** `run ARGS...` in-process with the examples. @return its exit status. */
int run(char **args, int count);
/** run(), with what it wrote on stderr in *said (new, free). */
int run_capturing_stderr(char **args, int count, char **said);

/** OUT/summary.json (new reference; fails the test when missing). */
json_t *summary(const char *out);
json_int_t count_of(const json_t *s, const char *key);
/** Lines in OUT/name. */
size_t lines_in(const char *out, const char *name);
/** Are A/name and B/name byte-identical? */
int files_equal(const char *a_dir, const char *b_dir, const char *name);
/**
 * Send @p signal_number to @p pid as soon as the JSON file @p path (a checkpoint written
 * by the run) says @p key >= @p at_least, then reap it into *status.
 * @return 1 if the signal was sent, 0 if the run finished first.
 */
int signal_when_checkpointed(pid_t pid, const char *path, const char *key, json_int_t at_least,
                             int signal_number, int *status);
/**
 * Kill @p pid with SIGKILL as soon as the JSON file @p path says @p key >= @p at_least,
 * and reap it. @return 1 if the run was killed, 0 if it finished first.
 */
int kill_when_checkpointed(pid_t pid, const char *path, const char *key, json_int_t at_least);

#endif /* LD_TESTS_RUNNER_FIXTURES_H */
