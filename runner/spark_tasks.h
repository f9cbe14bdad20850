/*
 * spark_tasks.h - the local runner's Spark datasets (private): `letsdata-runtime run
 * --spark MAPPER_AND_REDUCER|MAPPER_ONLY|REDUCER_ONLY` (docs/local-runner.md).
 *
 * The runner calls the registered SparkMapperInterface / SparkReducerInterface with the
 * arguments LetsData would send; it never links the Spark engine itself (the handler
 * does, through libletsdata-spark).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRUN_SPARK_TASKS_H
#define LDRUN_SPARK_TASKS_H

#include <letsdata/registry.h>

/**
 * Non-zero when `run` was asked for a Spark dataset: a --spark option, `--reader
 * spark`, or a --manifest dataset configuration whose readConnector.readerType is
 * SPARKREADER.
 */
int ldrun_spark_requested(int argc, char **argv);

/** `letsdata-runtime run` for a Spark dataset. @return the process exit status. */
int ldrun_spark_main(int argc, char **argv, const ld_registry *registry);

#endif /* LDRUN_SPARK_TASKS_H */
