/*
 * child.c - `run --isolate`: the handler runs in a child process, so that a handler that
 * crashes (or hangs, with --timeout-ms) costs the record it was given, not the run.
 *
 * Each worker thread has one child, forked on first use and again after a crash, and
 * feeds it records over a socket: the record's bytes go in; the routed results come back
 * (the document, error and skip lines the record produced, and the counts), and the
 * parent writes them to the task's files. A child is not forked per record: after the
 * fork the per-record cost is two socket round trips. The child routes results with the
 * same code as the parent (ldrun_parse_record, ldrun_read_record), into memory streams.
 *
 * When the child dies before it answers, the record becomes a handler failure naming the
 * signal (an ErrorDoc with --continue-on-error; otherwise the task stops), and the next
 * record gets a new child. Every child closes the sockets of the other children it
 * inherited, so that no child keeps another's socket open (a dead child's parent sees
 * EOF at once). Children ignore SIGINT and SIGTERM: on Ctrl-C the whole process group
 * gets SIGINT, and the record in flight should finish; the parent stops after it.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runner_internal.h"

enum { CALL_PARSE_RECORD = 1, CALL_READ_RECORD = 2 };

/* Parent -> child, followed by the strings (no NULs) and the record's bytes. */
typedef struct request_head {
    uint32_t call;
    uint32_t interface_id;
    int64_t offset;       /* parse: the record's offset in the file */
    uint64_t number;      /* read: the line number */
    uint32_t lengths[3];  /* file name (or path), s3FileType, where */
    uint32_t reserved;
    uint64_t data_length;
} request_head;

/* Child -> parent, followed by the error message and the three result files' lines. */
typedef struct response_head {
    int32_t rc;
    uint32_t message_length;
    uint64_t records, success, error, skip, handler_failures;
    uint64_t lengths[3];
} response_head;

struct ldrun_child {
    const ld_registry *registry;
    int continue_on_error;
    unsigned timeout_ms;
    pid_t pid; /* 0: not running */
    int fd;    /* the parent's end of the socket */
};

/* The parent's ends of every child's socket, closed in each new child. The lock is held
 * across socketpair() and fork() so that no child is forked between the two. */
static pthread_mutex_t children_lock = PTHREAD_MUTEX_INITIALIZER;
static int children_fds[256];
static size_t children_count;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_fully(int fd, const void *data, size_t length)
{
    const char *p = data;
    while (length > 0) {
        ssize_t n = send(fd, p, length, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

/* Read exactly @p length bytes; 0, or -1 at EOF/error, or -2 past @p deadline (0: none). */
static int receive_fully(int fd, void *data, size_t length, int64_t deadline)
{
    char *p = data;
    while (length > 0) {
        if (deadline) {
            int64_t left = deadline - now_ms();
            if (left <= 0)
                return -2;
            struct pollfd pfd = {fd, POLLIN, 0};
            int ready = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
            if (ready < 0 && errno != EINTR)
                return -1;
            if (ready <= 0)
                continue;
        }
        ssize_t n = read(fd, p, length);
        if (n < 0 && errno == EINTR)
            continue; /* a signal (SIGINT...): the record in flight still finishes */
        if (n <= 0)
            return -1;
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

/* ---- the child ---- */

typedef struct child_output {
    ldrun_output out;
    char *text[3];
    size_t length[3];
} child_output;

static int open_memory(child_output *c)
{
    memset(c, 0, sizeof *c);
    FILE **files[3] = {&c->out.documents, &c->out.errors, &c->out.skipped};
    for (int i = 0; i < 3; i++)
        if ((*files[i] = open_memstream(&c->text[i], &c->length[i])) == NULL)
            return -1;
    return 0;
}

static void close_memory(child_output *c)
{
    FILE *files[3] = {c->out.documents, c->out.errors, c->out.skipped};
    for (int i = 0; i < 3; i++)
        if (files[i] != NULL)
            fclose(files[i]);
}

static void free_memory(child_output *c)
{
    for (int i = 0; i < 3; i++)
        free(c->text[i]);
}

static char *receive_string(int fd, uint32_t length)
{
    char *text = malloc((size_t)length + 1);
    if (text != NULL && receive_fully(fd, text, length, 0) != 0) {
        free(text);
        return NULL;
    }
    if (text != NULL)
        text[length] = '\0';
    return text;
}

static _Noreturn void child_main(const ld_registry *registry, int fd, int continue_on_error,
                                 pid_t parent)
{
    /* Die of a crash as the kernel delivers it, so the parent can name the signal. */
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        signal(fatal[i], SIG_DFL);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    /* A parent killed with SIGKILL takes its children along. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(0);
    ld_context *ctx = ld_context_new("local-run-isolated", "local", "local", "local", "local");
    const ld_single_file_parser *parser = ld_registry_single_file_parser(registry);
    for (;;) {
        request_head head;
        if (ctx == NULL || receive_fully(fd, &head, sizeof head, 0) != 0)
            _exit(0); /* the parent closed the socket: the run is over */
        char *name = receive_string(fd, head.lengths[0]);
        char *type = receive_string(fd, head.lengths[1]);
        char *where = receive_string(fd, head.lengths[2]);
        char *data = malloc(head.data_length + 1);
        if (name == NULL || type == NULL || where == NULL || data == NULL ||
            receive_fully(fd, data, head.data_length, 0) != 0)
            _exit(4);
        data[head.data_length] = '\0';
        child_output c;
        ld_error error = {0};
        int rc;
        if (open_memory(&c) != 0) {
            rc = ld_error_set(&error, LD_ERR_NOMEM, "out of memory in the isolated process");
        } else {
            c.out.continue_on_error = continue_on_error;
            if (head.call == CALL_PARSE_RECORD) {
                ldrun_file_job job = {parser, ctx, name, name, type, 0};
                rc = parser == NULL ? ld_error_set(&error, LD_ERR_INTERNAL, "no parser")
                                    : ldrun_parse_record(&job, head.offset, data, 0,
                                                         (size_t)head.data_length, where,
                                                         &c.out, &error);
            } else {
                rc = ldrun_read_record(registry, (ld_interface)head.interface_id, ctx, name,
                                       (unsigned long)head.number, data,
                                       (size_t)head.data_length, &c.out, &error);
            }
        }
        close_memory(&c);
        response_head answer = {rc, (uint32_t)(rc == LD_OK ? 0 : strlen(error.message)),
                                c.out.counts.records, c.out.counts.success,
                                c.out.counts.error, c.out.counts.skip,
                                c.out.counts.handler_failures,
                                {c.length[0], c.length[1], c.length[2]}};
        int failed = send_fully(fd, &answer, sizeof answer) != 0 ||
                     send_fully(fd, error.message, answer.message_length) != 0;
        for (int i = 0; i < 3 && !failed; i++)
            failed = send_fully(fd, c.text[i] ? c.text[i] : "", c.length[i]) != 0;
        free_memory(&c);
        free(name);
        free(type);
        free(where);
        free(data);
        if (failed)
            _exit(0);
    }
}

/* ---- the parent ---- */

ldrun_child *ldrun_child_new(const ld_registry *registry, int continue_on_error,
                             unsigned timeout_ms)
{
    ldrun_child *child = calloc(1, sizeof *child);
    if (child != NULL) {
        child->registry = registry;
        child->continue_on_error = continue_on_error;
        child->timeout_ms = timeout_ms;
        child->fd = -1;
    }
    return child;
}

static int spawn(ldrun_child *child, ld_error *error)
{
    int sv[2];
    pthread_mutex_lock(&children_lock);
    if (children_count == sizeof children_fds / sizeof children_fds[0]) {
        pthread_mutex_unlock(&children_lock);
        return ld_error_set(error, LD_ERR_LIMIT, "too many isolated handler processes");
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        int saved = errno;
        pthread_mutex_unlock(&children_lock);
        return ld_error_set(error, LD_ERR_IO, "--isolate: cannot create a socket: %s",
                            strerror(saved));
    }
    fflush(stdout); /* what is buffered is not written again by the child */
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        for (size_t i = 0; i < children_count; i++)
            close(children_fds[i]);
        close(sv[0]);
        child_main(child->registry, sv[1], child->continue_on_error, parent);
    }
    int saved = errno;
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        pthread_mutex_unlock(&children_lock);
        return ld_error_set(error, LD_ERR_IO, "--isolate: cannot fork: %s", strerror(saved));
    }
    children_fds[children_count++] = sv[0];
    pthread_mutex_unlock(&children_lock);
    child->pid = pid;
    child->fd = sv[0];
    return LD_OK;
}

/* Close the socket and reap the process (@p kill_first: it hangs). Its exit status. */
static int reap(ldrun_child *child, int kill_first)
{
    pthread_mutex_lock(&children_lock);
    for (size_t i = 0; i < children_count; i++)
        if (children_fds[i] == child->fd) {
            children_fds[i] = children_fds[--children_count];
            break;
        }
    close(child->fd);
    pthread_mutex_unlock(&children_lock);
    if (kill_first)
        kill(child->pid, SIGKILL);
    int status = 0;
    while (waitpid(child->pid, &status, 0) < 0 && errno == EINTR)
        ;
    child->pid = 0;
    child->fd = -1;
    return status;
}

void ldrun_child_free(ldrun_child *child)
{
    if (child == NULL)
        return;
    if (child->pid > 0)
        reap(child, 0); /* idle between records: it exits on EOF */
    free(child);
}

static int write_results(ldrun_output *out, const response_head *head, const char *text,
                         ld_error *error)
{
    FILE *files[3] = {out->documents, out->errors, out->skipped};
    for (int i = 0; i < 3; i++) {
        if (head->lengths[i] > 0 && fwrite(text, 1, head->lengths[i], files[i]) != head->lengths[i])
            return ld_error_set(error, LD_ERR_IO, "cannot write %s: %s",
                                ldrun_output_path(out, files[i]), strerror(errno));
        text += head->lengths[i];
    }
    out->counts.records += head->records;
    out->counts.success += head->success;
    out->counts.error += head->error;
    out->counts.skip += head->skip;
    out->counts.handler_failures += head->handler_failures;
    return LD_OK;
}

/* One call in the child; @p locator (stolen) places the record in a crash's ErrorDoc. */
static int call(ldrun_output *out, request_head *head, const char *name, const char *type,
                const char *where, const char *data, json_t *locator, ld_error *error)
{
    ldrun_child *child = out->child;
    if (child->pid == 0) {
        int rc = spawn(child, error);
        if (rc != LD_OK) {
            json_decref(locator);
            return rc;
        }
    }
    head->lengths[0] = (uint32_t)strlen(name);
    head->lengths[1] = (uint32_t)strlen(type);
    head->lengths[2] = (uint32_t)strlen(where);
    int64_t deadline = child->timeout_ms ? now_ms() + child->timeout_ms : 0;
    response_head answer;
    int got = send_fully(child->fd, head, sizeof *head) == 0 &&
                      send_fully(child->fd, name, head->lengths[0]) == 0 &&
                      send_fully(child->fd, type, head->lengths[1]) == 0 &&
                      send_fully(child->fd, where, head->lengths[2]) == 0 &&
                      send_fully(child->fd, data, (size_t)head->data_length) == 0
                  ? receive_fully(child->fd, &answer, sizeof answer, deadline)
                  : -1;
    char *text = NULL;
    if (got == 0) {
        size_t total = (size_t)answer.message_length + answer.lengths[0] + answer.lengths[1] +
                       answer.lengths[2];
        text = malloc(total + 1);
        got = text == NULL ? -1 : receive_fully(child->fd, text, total, deadline);
    }
    if (got == 0) {
        json_decref(locator);
        int rc = write_results(out, &answer, text + answer.message_length, error);
        if (rc == LD_OK && answer.rc != LD_OK)
            rc = ld_error_set(error, answer.rc, "%.*s", (int)answer.message_length, text);
        free(text);
        return rc;
    }
    free(text);
    /* The child died, or overstayed: the record is a handler failure. */
    int status = reap(child, 1); /* dead already, or hanging */
    char description[300];
    const char *failure_type = "HandlerCrashed";
    if (got == -2) {
        failure_type = "HandlerTimeout";
        snprintf(description, sizeof description,
                 "the handler did not finish the record within %u ms (--timeout-ms) and its "
                 "process was stopped",
                 child->timeout_ms);
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *abbrev = sigabbrev_np(sig);
        snprintf(description, sizeof description,
                 "the handler crashed: its process was killed by SIG%s (%s)",
                 abbrev != NULL ? abbrev : "?", strsignal(sig));
    } else {
        snprintf(description, sizeof description,
                 "the handler ended its process (exit status %d) in the middle of the record",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    return ldrun_handler_failed(out, failure_type, description, locator, where, error);
}

int ldrun_child_parse_record(const ldrun_file_job *job, int64_t offset, const char *buffer,
                             size_t start, size_t end, const char *where, ldrun_output *out,
                             ld_error *error)
{
    request_head head = {CALL_PARSE_RECORD, LD_INTERFACE_SINGLE_FILE_PARSER, offset, 0,
                         {0, 0, 0}, 0, end - start};
    return call(out, &head, job->file_name, job->s3_file_type, where, buffer + start,
                json_pack("{s:I}", job->s3_file_type, (json_int_t)offset), error);
}

int ldrun_child_read_record(ld_interface interface_id, const char *path, unsigned long number,
                            const char *line, size_t length, ldrun_output *out,
                            ld_error *error)
{
    char where[4200];
    snprintf(where, sizeof where, "%s:%lu", path, number);
    request_head head = {CALL_READ_RECORD, (uint32_t)interface_id, 0, number, {0, 0, 0}, 0,
                         length};
    return call(out, &head, path, "", where, line,
                json_pack("{s:s, s:I}", "file", path, "line", (json_int_t)number), error);
}
