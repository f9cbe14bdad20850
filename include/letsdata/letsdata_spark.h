/*
 * letsdata/letsdata_spark.h - everything in libletsdata-spark.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_LETSDATA_SPARK_H
#define LETSDATA_LETSDATA_SPARK_H

/**
 * @file letsdata/letsdata_spark.h
 * @brief Includes every libletsdata-spark header. Link with `pkg-config letsdata-spark`.
 */

#include <letsdata/spark_session.h>
#include <letsdata/spark_frame.h>
#include <letsdata/spark_rows.h>
#include <letsdata/spark_udf.h>
#include <letsdata/spark_arrow.h>

#endif /* LETSDATA_LETSDATA_SPARK_H */
