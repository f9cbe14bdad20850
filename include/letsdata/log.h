/*
 * letsdata/log.h - leveled logging to stderr.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_LOG_H
#define LETSDATA_LOG_H

/**
 * @file letsdata/log.h
 * @brief Leveled logging for handlers and the SDK.
 *
 * Lines go to stderr (which Lambda sends to CloudWatch) as
 * `LEVEL [requestId] file:line message`. The level is read once from the environment
 * variable LD_LOG_LEVEL_ENV ("trace", "debug", "info", "warn", "error", "off"; any
 * case; default "info") and can be changed with ld_log_set_level(). The level and the
 * sink are the library's only global mutable state; both may be changed from any
 * thread, and each line is written with one write so lines from threads do not mix.
 */

#include <stdarg.h>

#include <letsdata/common.h>
#include <letsdata/context.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Environment variable holding the initial log level. */
#define LD_LOG_LEVEL_ENV "LETSDATA_LOG_LEVEL"

/** Log levels, least severe first. */
typedef enum ld_log_level {
    LD_LOG_TRACE = 0,
    LD_LOG_DEBUG = 1,
    LD_LOG_INFO = 2,
    LD_LOG_WARN = 3,
    LD_LOG_ERROR = 4,
    LD_LOG_OFF = 5 /**< As a level: log nothing. */
} ld_log_level;

/**
 * Where formatted lines go instead of stderr.
 * @param level   the line's level.
 * @param line    the formatted line without a trailing newline (borrowed).
 * @param payload as given to ld_log_set_sink().
 */
typedef void (*ld_log_sink_fn)(ld_log_level level, const char *line, void *payload);

/** The current level (reading the environment on first use). */
LD_EXTERN ld_log_level ld_log_get_level(void);
/** Set the level, overriding the environment. */
LD_EXTERN void ld_log_set_level(ld_log_level level);
/** Non-zero if a line at @p level would be written. */
LD_EXTERN int ld_log_enabled(ld_log_level level);
/** Send lines to @p sink (NULL restores stderr). */
LD_EXTERN void ld_log_set_sink(ld_log_sink_fn sink, void *payload);

/** "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"; NULL outside the enum. */
LD_EXTERN const char *ld_log_level_to_string(ld_log_level level);
/** Parse a level name, case-insensitively ("warning" is accepted). @return LD_OK or LD_ERR_INVALID. */
LD_EXTERN int ld_log_level_from_string(const char *text, ld_log_level *out);

/**
 * Write one line if @p level is enabled.
 * @param ctx  optional; its requestId is included.
 * @param file optional source file name (only its base name is printed).
 * @param line source line, ignored when @p file is NULL.
 */
LD_EXTERN void ld_log_write(ld_log_level level, const ld_context *ctx, const char *file,
                            int line, const char *format, ...) LD_PRINTF(5, 6);
/** va_list form of ld_log_write(). */
LD_EXTERN void ld_log_writev(ld_log_level level, const ld_context *ctx, const char *file,
                             int line, const char *format, va_list args)
    LD_PRINTF(5, 0);

/** Log with the caller's file and line; @p ctx may be NULL. */
#define LD_LOG(level, ctx, ...)                                                \
    do {                                                                       \
        if (ld_log_enabled(level))                                             \
            ld_log_write((level), (ctx), __FILE__, __LINE__, __VA_ARGS__);     \
    } while (0)
#define LD_TRACE(ctx, ...) LD_LOG(LD_LOG_TRACE, ctx, __VA_ARGS__) /**< trace line */
#define LD_DEBUG(ctx, ...) LD_LOG(LD_LOG_DEBUG, ctx, __VA_ARGS__) /**< debug line */
#define LD_INFO(ctx, ...) LD_LOG(LD_LOG_INFO, ctx, __VA_ARGS__)   /**< info line */
#define LD_WARN(ctx, ...) LD_LOG(LD_LOG_WARN, ctx, __VA_ARGS__)   /**< warning line */
#define LD_ERROR(ctx, ...) LD_LOG(LD_LOG_ERROR, ctx, __VA_ARGS__) /**< error line */

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_LOG_H */
