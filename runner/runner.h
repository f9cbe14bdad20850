/*
 * runner.h - the local dataset runner, `letsdata-runtime run ...` (private).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRUN_RUNNER_H
#define LDRUN_RUNNER_H

#include <letsdata/registry.h>

/**
 * Run a dataset locally with the handlers in @p registry. @p argv[0] is "run"; the
 * options are documented in docs/local-runner.md and by `letsdata-runtime run --help`.
 * @return the process exit status.
 */
int ldrun_main(int argc, char **argv, const ld_registry *registry);

#endif /* LDRUN_RUNNER_H */
