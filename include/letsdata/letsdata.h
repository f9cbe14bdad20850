/*
 * letsdata/letsdata.h - the whole letsdata C SDK.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_LETSDATA_H
#define LETSDATA_LETSDATA_H

/**
 * @file letsdata/letsdata.h
 * @brief Umbrella header: includes every public header of libletsdata.
 */

#include <letsdata/arn.h>
#include <letsdata/check.h>
#include <letsdata/common.h>
#include <letsdata/context.h>
#include <letsdata/document.h>
#include <letsdata/json.h>
#include <letsdata/dynamodb_streams_record_reader.h>
#include <letsdata/dynamodb_table_item_reader.h>
#include <letsdata/kinesis_record_reader.h>
#include <letsdata/log.h>
#include <letsdata/matcher.h>
#include <letsdata/model.h>
#include <letsdata/queue_message_reader.h>
#include <letsdata/registry.h>
#include <letsdata/sagemaker_vectors.h>
#include <letsdata/single_file_parser.h>
#include <letsdata/spark.h>
#include <letsdata/utf8.h>
#include <letsdata/uuid.h>
#include <letsdata/version.h>

#endif /* LETSDATA_LETSDATA_H */
