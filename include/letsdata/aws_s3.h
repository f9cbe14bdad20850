/*
 * letsdata/aws_s3.h - Amazon S3 from C (libletsdata-aws).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_AWS_S3_H
#define LETSDATA_AWS_S3_H

/**
 * @file letsdata/aws_s3.h
 * @brief S3 objects: get (streamed, ranges), head, put (memory, file, callback,
 * multipart), list (paginated) and delete, with memory bounded whatever the object size.
 *
 * Every call takes a client from letsdata/aws.h; its errors fill an ::ld_aws_error
 * (aws_code "NoSuchKey", "NoSuchBucket"... with LD_ERR_NOT_FOUND). Addressing is
 * path-style (`ENDPOINT/bucket/key`) when the endpoint was overridden (a local
 * S3-compatible server), virtual-hosted (`bucket.s3.REGION.amazonaws.com`) otherwise.
 *
 * A GET that breaks mid-body is resumed with a Range request (pinned to the first
 * answer's ETag, so the bytes cannot come from two versions of the object): callbacks
 * see every byte exactly once.
 */

#include <stddef.h>
#include <stdint.h>

#include <letsdata/aws.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Split `s3://bucket/key` or `s3a://bucket/key` (the same thing).
 *
 * @param[out] bucket new string (free with ld_free()).
 * @param[out] key    new string, possibly "" (`s3://bucket` or `s3://bucket/`).
 * @return LD_OK, or LD_ERR_INVALID (not an s3 URI, empty bucket), LD_ERR_NOMEM.
 */
LD_EXTERN int ld_s3_uri_parse(const char *uri, char **bucket, char **key, ld_aws_error *error);

/** What S3 says about an object. */
typedef struct ld_s3_object_info {
    /** Size of the whole object in bytes (not of a range). */
    uint64_t size;
    /** The ETag, quotes included, as S3 sends it. */
    char etag[128];
    /** The Content-Type. */
    char content_type[128];
    /** Last-Modified, as S3 sends it (an HTTP date). */
    char last_modified[64];
} ld_s3_object_info;

/* ---------------------------------------------------------------------------------- */
/** @name Get and head */
/** @{ */

/**
 * Receives a GET's bytes in order, each exactly once.
 * @return 0 to go on; anything else stops the transfer (the call then fails with
 *         LD_ERR_IO, "stopped by the callback").
 */
typedef int (*ld_s3_write_fn)(void *payload, const void *data, size_t length);

/** Marks an open-ended range (ld_s3_get_options::range_end). */
#define LD_S3_TO_END UINT64_MAX

/** The version of ld_s3_get_options this header describes. */
#define LD_S3_GET_OPTIONS_VERSION 1

/** Options of a GET. Start from LD_S3_GET_OPTIONS_INIT (the whole object). */
typedef struct ld_s3_get_options {
    /** LD_S3_GET_OPTIONS_VERSION. */
    int version;
    /** First byte wanted. */
    uint64_t range_start;
    /** Last byte wanted (inclusive), or LD_S3_TO_END. */
    uint64_t range_end;
    /** Borrowed; NULL, or an ETag the object must still have (`If-Match`). */
    const char *if_match;
} ld_s3_get_options;

/** The whole object. */
#define LD_S3_GET_OPTIONS_INIT { LD_S3_GET_OPTIONS_VERSION, 0, LD_S3_TO_END, NULL }

/**
 * Stream an object (or a range of it) to @p write, in bounded memory.
 *
 * @param options NULL for the whole object.
 * @param[out] info if not NULL, filled from the first answer's headers.
 * @return LD_OK; LD_ERR_NOT_FOUND (NoSuchKey, NoSuchBucket); LD_ERR_INVALID (a range
 *         past the end: InvalidRange); LD_ERR_IO (the rest, retries exhausted).
 */
LD_EXTERN int ld_s3_get_object(ld_aws_client *client, const char *bucket, const char *key,
                               const ld_s3_get_options *options, ld_s3_write_fn write,
                               void *payload, ld_s3_object_info *info, ld_aws_error *error);

/**
 * Download an object to the file @p path (created or truncated; removed again when the
 * call fails). @return as ld_s3_get_object(), LD_ERR_IO for a file error.
 */
LD_EXTERN int ld_s3_get_object_to_file(ld_aws_client *client, const char *bucket,
                                       const char *key, const char *path,
                                       ld_s3_object_info *info, ld_aws_error *error);

/**
 * Download a small object into memory.
 *
 * @param[out] data   new buffer of @p length bytes plus a NUL (free with ld_free()).
 * @param max_bytes   the call fails with LD_ERR_LIMIT for a larger object.
 * @return as ld_s3_get_object().
 */
LD_EXTERN int ld_s3_get_object_to_memory(ld_aws_client *client, const char *bucket,
                                         const char *key, size_t max_bytes, char **data,
                                         size_t *length, ld_aws_error *error);

/**
 * HeadObject: the object's size, ETag, type and date.
 * @return LD_OK; LD_ERR_NOT_FOUND (no such key or bucket); LD_ERR_IO.
 */
LD_EXTERN int ld_s3_head_object(ld_aws_client *client, const char *bucket, const char *key,
                                ld_s3_object_info *info, ld_aws_error *error);

/** @} */

/* ---------------------------------------------------------------------------------- */
/** @name Put */
/** @{ */

/** Smallest part of a multipart upload this library sends (8 MiB; S3's floor is 5 MiB). */
#define LD_S3_MIN_PART_SIZE ((size_t)8 * 1024 * 1024)

/** The version of ld_s3_put_options this header describes. */
#define LD_S3_PUT_OPTIONS_VERSION 1

/** Options of a put. Start from LD_S3_PUT_OPTIONS_INIT. */
typedef struct ld_s3_put_options {
    /** LD_S3_PUT_OPTIONS_VERSION. */
    int version;
    /** Borrowed; NULL: "application/octet-stream". */
    const char *content_type;
    /** Bytes per multipart part, and the size above which an upload is multipart.
     *  0: LD_S3_MIN_PART_SIZE; smaller values are raised to it. */
    size_t part_size;
    /** Parts of a multipart upload in flight at once, each on its own connection and
     *  sender thread, while the next part fills (as the SDKs' transfer managers do).
     *  0: 2; 1: one connection. At most 16. Memory used by an upload is
     *  (concurrency + 1) parts: 24 MiB by default. */
    int concurrency;
} ld_s3_put_options;

/** Defaults: octet-stream, 8 MiB parts, 2 parts in flight. */
#define LD_S3_PUT_OPTIONS_INIT { LD_S3_PUT_OPTIONS_VERSION, NULL, 0, 0 }

/**
 * PutObject from memory (multipart above the part size).
 * @param options NULL for the defaults.
 * @return LD_OK; LD_ERR_NOT_FOUND (NoSuchBucket); LD_ERR_IO.
 */
LD_EXTERN int ld_s3_put_object(ld_aws_client *client, const char *bucket, const char *key,
                               const void *data, size_t length,
                               const ld_s3_put_options *options, ld_aws_error *error);

/**
 * Upload the file @p path. A regular file larger than one part is a multipart upload
 * whose parts are read from the file as libcurl sends them, one after the other: no part
 * buffers, and ld_s3_put_options::part_size defaults to 64 MiB here (fewer requests);
 * a file that would need more than S3's 10,000 parts gets larger parts. Pipes and devices
 * are read like ld_s3_put_object_from_callback(). Any failure aborts the upload.
 * @return as ld_s3_put_object(); LD_ERR_IO for a file error.
 */
LD_EXTERN int ld_s3_put_object_from_file(ld_aws_client *client, const char *bucket,
                                         const char *key, const char *path,
                                         const ld_s3_put_options *options,
                                         ld_aws_error *error);

/**
 * Supplies an upload's bytes.
 * @return bytes written into @p buffer (at most @p capacity), 0 at the end, or a
 *         negative number to fail the upload (which is then aborted).
 */
typedef long (*ld_s3_read_fn)(void *payload, void *buffer, size_t capacity);

/** Upload bytes of unknown size from @p read, in bounded memory. */
LD_EXTERN int ld_s3_put_object_from_callback(ld_aws_client *client, const char *bucket,
                                             const char *key, ld_s3_read_fn read,
                                             void *payload,
                                             const ld_s3_put_options *options,
                                             ld_aws_error *error);

/**
 * An upload being written: bytes are buffered up to one part; a full part is sent at
 * once (multipart: CreateMultipartUpload, UploadPart...), on a sender thread while the
 * next one fills (ld_s3_put_options::concurrency). Opaque; one thread at a time, like
 * its client, which must outlive it.
 */
typedef struct ld_s3_upload ld_s3_upload;

/**
 * Start an upload. Nothing is sent until a part fills or ld_s3_upload_finish().
 * @return a new upload (ended by ld_s3_upload_finish() or ld_s3_upload_abort()), or NULL
 *         with @p error set.
 */
LD_EXTERN ld_s3_upload *ld_s3_upload_new(ld_aws_client *client, const char *bucket,
                                         const char *key, const ld_s3_put_options *options,
                                         ld_aws_error *error);

/**
 * Append bytes; sends a part each time one fills.
 * @return LD_OK, or an error (the upload is then failed: ld_s3_upload_finish() aborts it
 *         and returns the same error).
 */
LD_EXTERN int ld_s3_upload_write(ld_s3_upload *upload, const void *data, size_t length,
                                 ld_aws_error *error);

/**
 * Send what is left and complete the object: one PutObject when everything fit in one
 * part, else the last part and CompleteMultipartUpload. On any failure the multipart
 * upload is aborted, so no parts are left behind. Frees @p upload (stolen) either way.
 * @return LD_OK once the object exists, else an error.
 */
LD_EXTERN int ld_s3_upload_finish(ld_s3_upload *upload, ld_aws_error *error);

/** Abandon an upload (AbortMultipartUpload if parts were sent) and free it. NULL is ignored. */
LD_EXTERN void ld_s3_upload_abort(ld_s3_upload *upload);

/** @} */

/* ---------------------------------------------------------------------------------- */
/** @name List and delete */
/** @{ */

/** One entry of a listing; every pointer is borrowed for the callback's duration. */
typedef struct ld_s3_object_entry {
    /** The key (or, for a common prefix, the prefix). */
    const char *key;
    /** Size in bytes (0 for a prefix). */
    uint64_t size;
    /** The ETag ("" for a prefix). */
    const char *etag;
    /** LastModified, ISO 8601 ("" for a prefix). */
    const char *last_modified;
    /** 1 for a CommonPrefixes entry (listing with a delimiter), else 0. */
    int is_prefix;
} ld_s3_object_entry;

/** Receives listing entries in key order. @return 0 to go on, nonzero to stop (LD_OK). */
typedef int (*ld_s3_list_fn)(void *payload, const ld_s3_object_entry *entry);

/** The version of ld_s3_list_options this header describes. */
#define LD_S3_LIST_OPTIONS_VERSION 1

/** What to list. Start from LD_S3_LIST_OPTIONS_INIT (every key). Pointers are borrowed. */
typedef struct ld_s3_list_options {
    /** LD_S3_LIST_OPTIONS_VERSION. */
    int version;
    /** Only keys starting with this (NULL: all). */
    const char *prefix;
    /** Group keys up to this (usually "/") into prefixes (NULL: none). */
    const char *delimiter;
    /** Only keys after this one (NULL: from the start). */
    const char *start_after;
    /** Keys per page (ListObjectsV2 max-keys); 0: 1000. */
    int page_size;
} ld_s3_list_options;

/** Every key of the bucket. */
#define LD_S3_LIST_OPTIONS_INIT { LD_S3_LIST_OPTIONS_VERSION, NULL, NULL, NULL, 0 }

/**
 * ListObjectsV2, following continuation tokens until the listing ends or @p each
 * stops it. @return LD_OK; LD_ERR_NOT_FOUND (NoSuchBucket); LD_ERR_IO.
 */
LD_EXTERN int ld_s3_list_objects(ld_aws_client *client, const char *bucket,
                                 const ld_s3_list_options *options, ld_s3_list_fn each,
                                 void *payload, ld_aws_error *error);

/** DeleteObject. Deleting a missing key succeeds, as in S3. */
LD_EXTERN int ld_s3_delete_object(ld_aws_client *client, const char *bucket, const char *key,
                                  ld_aws_error *error);

/**
 * DeleteObjects, 1000 keys per request.
 * @param keys borrowed array of @p count keys.
 * @return LD_OK when every key is gone; LD_ERR_IO naming the first key S3 refused.
 */
LD_EXTERN int ld_s3_delete_objects(ld_aws_client *client, const char *bucket,
                                   const char *const *keys, size_t count, ld_aws_error *error);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_AWS_S3_H */
