/*
 * cli.c - the letsdata-runtime command line (ld_runtime_main): load handlers, pick the
 * transport, run it. See docs/runtime.md.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/log.h>
#include <letsdata/version.h>

#include "net.h"
#include "runner.h"
#include "runtime_internal.h"
#include "transport.h"

static const char usage[] =
    "Usage: letsdata-runtime [--handler LIB.so]... [MODE] [OPTIONS]\n"
    "\n"
    "Serve #LetsData invocations with C handlers (see docs/runtime.md).\n"
    "\n"
    "Modes:\n"
    "  invoke [FILE|-]   one request from FILE (default: stdin); its response envelope on\n"
    "                    stdout. Exit 0 for SUCCESS, 1 for EXCEPTION, 2 on I/O errors.\n"
    "  batch [FILE|-]    JSON Lines: one request per line in, one envelope per line out.\n"
    "  serve [OPTIONS]   local HTTP endpoint: POST " LDRT_HTTP_INVOKE_PATH "\n"
    "      --host ADDR            address to bind (default 127.0.0.1)\n"
    "      --port N               port (default 9000; 0 picks a free one)\n"
    "      --threads N            worker threads (default 4)\n"
    "      --max-request-bytes N  larger bodies are refused (default 6291456, Lambda's)\n"
    "      --isolate              run each invocation in a child process: a crashing\n"
    "                             handler costs one request, not the server\n"
    "      --timeout-ms N         with --isolate: kill an invocation after N ms\n"
    "      --quiet                do not print the listening address\n"
    "  lambda            AWS Lambda Runtime API loop (custom runtime `bootstrap`).\n"
    "  run [OPTIONS]     run a dataset locally (see `letsdata-runtime run --help`).\n"
    "  With no MODE: `lambda` when AWS_LAMBDA_RUNTIME_API is set, else `invoke -`.\n"
    "\n"
    "Options:\n"
    "  --handler LIB.so  load a handler library exporting " LD_REGISTER_SYMBOL "()\n"
    "                    (LD_HANDLER_ENTRY); may be repeated\n"
    "  -h, --help        this help\n"
    "  --version         print the version\n"
    "\n"
    "Environment:\n"
    "  AWS_LAMBDA_RUNTIME_API  host:port of the Lambda Runtime API (set by Lambda)\n"
    "  LETSDATA_LOG_LEVEL      trace, debug, info (default), warn, error, off\n";

static int usage_error(const char *program, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const char *program, const char *format, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", program);
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", program);
    return 2;
}

/* Parse a non-negative decimal number no larger than @p max. */
static int parse_number(const char *text, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (text == NULL || *text == '\0' || *text == '-')
        return -1;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || value > max)
        return -1;
    *out = value;
    return 0;
}

static FILE *open_input(const char *path, const char *program)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return stdin;
    FILE *in = fopen(path, "rb");
    if (in == NULL)
        fprintf(stderr, "%s: cannot open %s: %s\n", program, path, strerror(errno));
    return in;
}

static int run_stream_mode(const ld_registry *registry, int argc, char **argv,
                           const char *program, int batch)
{
    if (argc > 2)
        return usage_error(program, "too many arguments for %s", argv[0]);
    FILE *in = open_input(argc == 2 ? argv[1] : NULL, program);
    if (in == NULL)
        return 2;
    ld_error error = {0};
    int status = batch ? ldrt_batch_serve(registry, in, stdout, &error)
                       : ldrt_oneshot_serve(registry, in, stdout, &error);
    if (in != stdin)
        fclose(in);
    if (status == 2)
        fprintf(stderr, "%s: %s\n", program, error.message);
    return status;
}

static int run_serve(const ld_registry *registry, int argc, char **argv, const char *program)
{
    ldrt_http_options options = LDRT_HTTP_OPTIONS_INIT;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long number;
        if (strcmp(arg, "--isolate") == 0) {
            options.isolate = 1;
        } else if (strcmp(arg, "--quiet") == 0) {
            options.quiet = 1;
        } else if (strcmp(arg, "--host") == 0 && value != NULL) {
            options.host = value;
            i++;
        } else if (strcmp(arg, "--port") == 0) {
            if (parse_number(value, 65535, &number) != 0)
                return usage_error(program, "--port needs a number from 0 to 65535, got '%s'",
                                   value ? value : "");
            options.port = (uint16_t)number;
            i++;
        } else if (strcmp(arg, "--threads") == 0) {
            if (parse_number(value, 1024, &number) != 0 || number == 0)
                return usage_error(program, "--threads needs a number from 1 to 1024, got '%s'",
                                   value ? value : "");
            options.threads = (unsigned)number;
            i++;
        } else if (strcmp(arg, "--max-request-bytes") == 0) {
            if (parse_number(value, (unsigned long long)1 << 40, &number) != 0 || number == 0)
                return usage_error(program, "--max-request-bytes needs a positive number, got '%s'",
                                   value ? value : "");
            options.max_request_bytes = (size_t)number;
            i++;
        } else if (strcmp(arg, "--timeout-ms") == 0) {
            if (parse_number(value, 24ull * 3600 * 1000, &number) != 0)
                return usage_error(program, "--timeout-ms needs a number of milliseconds, got '%s'",
                                   value ? value : "");
            options.timeout_ms = (unsigned)number;
            i++;
        } else {
            return usage_error(program, "unknown serve option '%s'", arg);
        }
    }
    ld_error error = {0};
    int status = ldrt_net_http_serve(registry, &options, &error);
    if (status != 0 && error.message[0])
        fprintf(stderr, "%s: %s\n", program, error.message);
    return status;
}

static int run_lambda(const ld_registry *registry, int argc, const char *program)
{
    if (argc > 1)
        return usage_error(program, "%s", "lambda takes no arguments");
    ldrt_lambda_options options = LDRT_LAMBDA_OPTIONS_INIT;
    options.runtime_api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (options.runtime_api == NULL || *options.runtime_api == '\0') {
        fprintf(stderr, "%s: lambda mode needs AWS_LAMBDA_RUNTIME_API (host:port)\n", program);
        return 2;
    }
    ld_error error = {0};
    int status = ldrt_net_lambda_serve(registry, &options, &error);
    if (status != 0 && error.message[0])
        fprintf(stderr, "%s: %s\n", program, error.message);
    return status;
}

/* Registration failed: say so, and in Lambda also tell the Runtime API (init error). */
static int init_failed(const char *program, const char *mode, const char *message)
{
    fprintf(stderr, "%s: %s\n", program, message);
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (strcmp(mode, "lambda") == 0 && api != NULL && *api != '\0')
        ldrt_net_report_init_error(api, "Runtime.HandlerLoadError", message);
    return 1;
}

LD_EXTERN int ld_runtime_main(int argc, char **argv, ld_register_fn register_handlers)
{
    const char *program = argc > 0 && argv[0] ? argv[0] : "letsdata-runtime";
    const char *handlers[64];
    int handler_count = 0;
    int i = 1;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(arg, "--version") == 0) {
            printf("letsdata-runtime %s (libletsdata %s)\n", LD_VERSION_STRING, ld_version());
            return 0;
        }
        if (strcmp(arg, "--handler") == 0 || strncmp(arg, "--handler=", 10) == 0) {
            const char *path = arg[9] == '=' ? arg + 10 : (i + 1 < argc ? argv[++i] : NULL);
            if (path == NULL || *path == '\0')
                return usage_error(program, "%s", "--handler needs a shared object path");
            if (handler_count == (int)(sizeof handlers / sizeof handlers[0]))
                return usage_error(program, "%s", "too many --handler options");
            handlers[handler_count++] = path;
            continue;
        }
        if (arg[0] == '-' && arg[1] != '\0')
            return usage_error(program, "unknown option '%s'", arg);
        break;
    }

    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    const char *mode = i < argc ? argv[i] : (api != NULL && *api ? "lambda" : "invoke");
    int mode_argc = i < argc ? argc - i : 0;
    char **mode_argv = argv + i;
    char *default_argv[] = {(char *)"invoke", NULL};
    if (mode_argc == 0) {
        mode_argc = 1;
        mode_argv = default_argv;
    }

    ld_registry *registry = ld_registry_new();
    if (registry == NULL)
        return init_failed(program, mode, "out of memory creating the registry");
    int status;
    if (register_handlers != NULL && (status = register_handlers(registry)) != LD_OK) {
        char message[LD_ERROR_MESSAGE_MAX];
        const char *why = ld_registry_last_error(registry);
        snprintf(message, sizeof message, "registering the built-in handlers failed with %s%s%s",
                 ld_status_name(status), *why ? ": " : "", why);
        ld_registry_free(registry);
        return init_failed(program, mode, message);
    }
    for (int h = 0; h < handler_count; h++) {
        ld_error error = {0};
        if (ldrt_load_handler(handlers[h], registry, &error) != LD_OK) {
            ld_registry_free(registry);
            return init_failed(program, mode, error.message);
        }
    }

    if (strcmp(mode, "invoke") == 0)
        status = run_stream_mode(registry, mode_argc, mode_argv, program, 0);
    else if (strcmp(mode, "batch") == 0)
        status = run_stream_mode(registry, mode_argc, mode_argv, program, 1);
    else if (strcmp(mode, "serve") == 0)
        status = run_serve(registry, mode_argc, mode_argv, program);
    else if (strcmp(mode, "lambda") == 0)
        status = run_lambda(registry, mode_argc, program);
    else if (strcmp(mode, "run") == 0)
        status = ldrun_main(mode_argc, mode_argv, registry);
    else
        status = usage_error(program, "unknown mode '%s' (invoke, batch, serve, lambda, run)",
                             mode);
    ld_registry_free(registry);
    return status;
}
