/*
 * log.c - leveled logging to stderr or a sink (letsdata/log.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <letsdata/log.h>

/* -1: not read from the environment yet. Atomic so any thread may read or set it. */
static atomic_int current_level = -1;

static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;

/* A process that forks while another thread writes a line (serve --isolate, run
 * --isolate) would give the child a sink_lock that no thread of the child will ever
 * release, and a handler that logs there would hang. Hold the lock across fork(), so
 * both sides start with it free. */
static void lock_for_fork(void)
{
    pthread_mutex_lock(&sink_lock);
}

static void unlock_after_fork(void)
{
    pthread_mutex_unlock(&sink_lock);
}

__attribute__((constructor)) static void register_fork_handlers(void)
{
    pthread_atfork(lock_for_fork, unlock_after_fork, unlock_after_fork);
}
static ld_log_sink_fn sink_fn;
static void *sink_payload;

static const char *const level_names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"};

LD_EXTERN const char *ld_log_level_to_string(ld_log_level level)
{
    return (unsigned)level <= LD_LOG_OFF ? level_names[level] : NULL;
}

LD_EXTERN int ld_log_level_from_string(const char *text, ld_log_level *out)
{
    if (text == NULL)
        return LD_ERR_INVALID;
    if (strcasecmp(text, "warning") == 0) {
        *out = LD_LOG_WARN;
        return LD_OK;
    }
    for (int i = 0; i <= LD_LOG_OFF; i++) {
        if (strcasecmp(text, level_names[i]) == 0) {
            *out = (ld_log_level)i;
            return LD_OK;
        }
    }
    return LD_ERR_INVALID;
}

LD_EXTERN ld_log_level ld_log_get_level(void)
{
    int level = atomic_load(&current_level);
    if (level >= 0)
        return (ld_log_level)level;
    ld_log_level parsed = LD_LOG_INFO;
    const char *env = getenv(LD_LOG_LEVEL_ENV);
    if (env != NULL && *env != '\0' && ld_log_level_from_string(env, &parsed) != LD_OK) {
        parsed = LD_LOG_INFO;
        fprintf(stderr, "WARN letsdata: %s=\"%s\" is not a log level (trace, debug, info, "
                        "warn, error, off); using info\n", LD_LOG_LEVEL_ENV, env);
    }
    /* Racing first readers compute the same value; a concurrent set wins. */
    int expected = -1;
    atomic_compare_exchange_strong(&current_level, &expected, (int)parsed);
    return (ld_log_level)atomic_load(&current_level);
}

LD_EXTERN void ld_log_set_level(ld_log_level level)
{
    if ((unsigned)level <= LD_LOG_OFF)
        atomic_store(&current_level, (int)level);
}

LD_EXTERN int ld_log_enabled(ld_log_level level)
{
    return level < LD_LOG_OFF && level >= ld_log_get_level();
}

LD_EXTERN void ld_log_set_sink(ld_log_sink_fn sink, void *payload)
{
    pthread_mutex_lock(&sink_lock);
    sink_fn = sink;
    sink_payload = payload;
    pthread_mutex_unlock(&sink_lock);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

LD_EXTERN void ld_log_writev(ld_log_level level, const ld_context *ctx, const char *file,
                             int line, const char *format, va_list args)
{
    if (!ld_log_enabled(level) || format == NULL)
        return;
    char buffer[2048];
    size_t used = 0;
    int n;

    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    n = snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                 tm.tm_sec, now.tv_nsec / 1000000L, level_names[level]);
    used = n > 0 ? (size_t)n : 0;
    if (ctx != NULL && used < sizeof buffer) {
        n = snprintf(buffer + used, sizeof buffer - used, " [%s]", ld_context_request_id(ctx));
        used += n > 0 ? (size_t)n : 0;
    }
    if (file != NULL && used < sizeof buffer) {
        n = snprintf(buffer + used, sizeof buffer - used, " %s:%d", base_name(file), line);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used + 1 < sizeof buffer) {
        buffer[used++] = ' ';
        buffer[used] = '\0';
    }
    if (used < sizeof buffer) {
        n = vsnprintf(buffer + used, sizeof buffer - used, format, args);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used >= sizeof buffer - 1) {
        /* Truncated: mark it rather than silently cutting the message. */
        used = sizeof buffer - 5;
        memcpy(buffer + used, "...", 4);
        used += 3;
    }

    pthread_mutex_lock(&sink_lock);
    ld_log_sink_fn sink = sink_fn;
    void *payload = sink_payload;
    if (sink != NULL) {
        sink(level, buffer, payload);
    } else {
        buffer[used] = '\n';
        /* One write per line so that lines from several threads never interleave. */
        ssize_t ignored = write(STDERR_FILENO, buffer, used + 1);
        (void)ignored;
        buffer[used] = '\0';
    }
    pthread_mutex_unlock(&sink_lock);
}

LD_EXTERN void ld_log_write(ld_log_level level, const ld_context *ctx, const char *file,
                            int line, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    ld_log_writev(level, ctx, file, line, format, ap);
    va_end(ap);
}
