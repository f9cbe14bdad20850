/*
 * child.c - `run --isolate`: the handler runs in a child process, so that a handler that
 * crashes (or hangs, with --timeout-ms) costs the record it was given, not the run.
 *
 * Each worker thread has one child, forked on first use and again after a crash, and
 * feeds it records over a socket: the record's bytes go in; the routed results come back
 * (the document, error and skip lines the record produced, and the counts), and the
 * parent writes them to the task's files in record order. A child is not forked per
 * record, and the parent does not wait for each answer: up to PIPELINE_RECORDS records
 * (PIPELINE_BYTES bytes) are in flight, so the child never idles on a round trip. The
 * child routes results with the same code as the parent (ldrun_parse_record,
 * ldrun_read_record), into memory streams.
 *
 * When the child dies, the oldest record without an answer is the one that killed it
 * (the child answers in order, and every answer it finished is read before the EOF): it
 * becomes a handler failure naming the signal (an ErrorDoc with --continue-on-error;
 * otherwise the task stops), and the records behind it go to a new child. Every child closes the sockets of the other children it
 * inherited, so that no child keeps another's socket open (a dead child's parent sees
 * EOF at once). Children ignore SIGINT and SIGTERM: on Ctrl-C the whole process group
 * gets SIGINT, and the record in flight should finish; the parent stops after it.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
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
#include <sys/uio.h>
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

#define PIPELINE_RECORDS 64
#define PIPELINE_BYTES (8u << 20)
/* Records are sent in batches (one sendmsg) and the parent reads the answers per batch:
 * a wake-up per record would cost more than many handlers take to parse one. */
#define BATCH_RECORDS 16
#define BATCH_BYTES (256u << 10)

/* A record sent (or to be sent) to the child, kept until its answer is in. */
typedef struct pending {
    char *request; /* request_head, strings, record bytes */
    size_t length;
    char *where;     /* locates the record in a failure */
    json_t *locator; /* its offset map, for a crash's ErrorDoc */
} pending;

struct ldrun_child {
    const ld_registry *registry;
    int continue_on_error;
    unsigned timeout_ms;
    pid_t pid; /* 0: not running */
    int fd;    /* the parent's end of the socket (non-blocking) */
    ldrun_output *out;        /* where answers go (the task being run) */
    pending queue[PIPELINE_RECORDS];
    size_t head, count;       /* the ring of records without an answer, oldest first */
    size_t bytes;             /* their requests' bytes */
    size_t sent, sent_offset; /* records of the queue fully sent, bytes of the next */
    size_t unsent_bytes;      /* queued since the last batch went out */
    int64_t head_since;       /* when the oldest record was sent (timeouts) */
    char *answer;             /* the answer being read */
    size_t answer_length, answer_capacity;
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

/* Send (@p sending) or read exactly @p length bytes, blocking; 0, or -1 at EOF or an
 * error (a peer that is gone: no SIGPIPE). */
static int transfer_fully(int fd, void *data, size_t length, int sending)
{
    char *p = data;
    while (length > 0) {
        ssize_t n = sending ? send(fd, p, length, MSG_NOSIGNAL) : read(fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

/* ---- the child ---- */

typedef struct reader {
    int fd;
    char buffer[65536];
    size_t at, length;
} reader;

/* Read exactly @p length bytes through the buffer. 0, or -1 at EOF. */
static int read_exactly(reader *r, void *data, size_t length)
{
    char *p = data;
    while (length > 0) {
        if (r->at == r->length) {
            if (length >= sizeof r->buffer) /* large records: straight in */
                return transfer_fully(r->fd, p, length, 0);
            ssize_t n = read(r->fd, r->buffer, sizeof r->buffer);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return -1;
            r->at = 0;
            r->length = (size_t)n;
        }
        size_t n = r->length - r->at < length ? r->length - r->at : length;
        memcpy(p, r->buffer + r->at, n);
        r->at += n;
        p += n;
        length -= n;
    }
    return 0;
}

static char *read_string(reader *r, uint32_t length)
{
    char *text = malloc((size_t)length + 1);
    if (text != NULL && read_exactly(r, text, length) != 0) {
        free(text);
        return NULL;
    }
    if (text != NULL)
        text[length] = '\0';
    return text;
}

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

/* An answer being built, sent by answers_flush(). */
typedef struct answers {
    char *data;
    size_t length, capacity;
} answers;

static int answers_flush(int fd, answers *a)
{
    int failed = a->length > 0 && transfer_fully(fd, a->data, a->length, 1) != 0;
    a->length = 0;
    return failed ? -1 : 0;
}

/* Answer: the head, the error message and the three files' lines, added to @p a. */
static int add_answer(answers *a, child_output *c, int rc, const ld_error *error)
{
    FILE *files[3] = {c->out.documents, c->out.errors, c->out.skipped};
    for (int i = 0; i < 3; i++)
        if (files[i] != NULL)
            fclose(files[i]);
    response_head head = {rc, (uint32_t)(rc == LD_OK ? 0 : strlen(error->message)),
                          c->out.counts.records, c->out.counts.success, c->out.counts.error,
                          c->out.counts.skip, c->out.counts.handler_failures,
                          {c->length[0], c->length[1], c->length[2]}};
    size_t total = sizeof head + head.message_length + c->length[0] + c->length[1] +
                   c->length[2];
    int failed = 0;
    if (a->capacity - a->length < total) {
        size_t capacity = a->length + total + (1u << 20);
        char *grown = realloc(a->data, capacity);
        if (grown == NULL)
            failed = 1;
        else {
            a->data = grown;
            a->capacity = capacity;
        }
    }
    if (!failed) {
        char *p = a->data + a->length;
        memcpy(p, &head, sizeof head);
        p += sizeof head;
        memcpy(p, error->message, head.message_length);
        p += head.message_length;
        for (int i = 0; i < 3; i++) {
            if (c->length[i] > 0)
                memcpy(p, c->text[i], c->length[i]);
            p += c->length[i];
        }
        a->length += total;
    }
    for (int i = 0; i < 3; i++)
        free(c->text[i]);
    return failed ? -1 : 0;
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
    static reader in;
    in.fd = fd;
    answers out = {NULL, 0, 0};
    for (;;) {
        request_head head;
        if (ctx == NULL || read_exactly(&in, &head, sizeof head) != 0)
            _exit(0); /* the parent closed the socket: the run is over */
        char *name = read_string(&in, head.lengths[0]);
        char *type = read_string(&in, head.lengths[1]);
        char *where = read_string(&in, head.lengths[2]);
        char *data = malloc(head.data_length + 1);
        if (name == NULL || type == NULL || where == NULL || data == NULL ||
            read_exactly(&in, data, head.data_length) != 0)
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
                ldrun_file_job job = {parser, ctx, name, name, type, 0, 1};
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
        /* Each answer goes out at once, before the next record is touched: when a record
         * kills this process, every answer before it has reached the parent, which so
         * knows which record it was. */
        int failed = add_answer(&out, &c, rc, &error) != 0 || answers_flush(fd, &out) != 0;
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
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    child->pid = pid;
    child->fd = sv[0];
    child->sent = child->sent_offset = 0; /* what is queued goes (again) to this one */
    child->answer_length = 0;
    return LD_OK;
}

/* Close the socket and reap the process (@p kill_first: it may still run). Its status. */
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

static pending *oldest(ldrun_child *child)
{
    return &child->queue[child->head];
}

static void pop(ldrun_child *child)
{
    pending *p = oldest(child);
    child->bytes -= p->length;
    free(p->request);
    free(p->where);
    json_decref(p->locator);
    memset(p, 0, sizeof *p);
    child->head = (child->head + 1) % PIPELINE_RECORDS;
    child->count--;
    if (child->sent > 0)
        child->sent--;
    child->head_since = now_ms(); /* the next one, if sent, starts its time now */
}

/* Forget every record in flight and the process working on them (the task stops). */
static void abandon(ldrun_child *child)
{
    while (child->count > 0)
        pop(child);
    child->sent = child->sent_offset = child->unsent_bytes = 0;
    child->answer_length = 0;
    if (child->pid > 0)
        reap(child, 1);
}

void ldrun_child_free(ldrun_child *child)
{
    if (child == NULL)
        return;
    abandon(child); /* idle between tasks: nothing is in flight */
    free(child->answer);
    free(child);
}

/* Apply a complete answer to the oldest record. */
static int apply_answer(ldrun_child *child, ld_error *error)
{
    response_head head;
    memcpy(&head, child->answer, sizeof head);
    const char *message = child->answer + sizeof head, *text = message + head.message_length;
    ldrun_output *out = child->out;
    FILE *files[3] = {out->documents, out->errors, out->skipped};
    int rc = LD_OK;
    for (int i = 0; i < 3 && rc == LD_OK; i++) {
        if (head.lengths[i] > 0 &&
            fwrite(text, 1, head.lengths[i], files[i]) != head.lengths[i])
            rc = ld_error_set(error, LD_ERR_IO, "cannot write %s: %s",
                              ldrun_output_path(out, files[i]), strerror(errno));
        text += head.lengths[i];
    }
    out->counts.records += head.records;
    out->counts.success += head.success;
    out->counts.error += head.error;
    out->counts.skip += head.skip;
    out->counts.handler_failures += head.handler_failures;
    if (rc == LD_OK && head.rc != LD_OK)
        rc = ld_error_set(error, head.rc, "%.*s", (int)head.message_length, message);
    pop(child);
    return rc;
}

/* Take the complete answers out of child->answer. */
static int take_answers(ldrun_child *child, ld_error *error)
{
    int rc = LD_OK;
    while (rc == LD_OK && child->answer_length >= sizeof(response_head) && child->count > 0) {
        response_head head;
        memcpy(&head, child->answer, sizeof head);
        size_t size = sizeof head + head.message_length + head.lengths[0] + head.lengths[1] +
                      head.lengths[2];
        if (child->answer_length < size)
            break;
        rc = apply_answer(child, error);
        memmove(child->answer, child->answer + size, child->answer_length - size);
        child->answer_length -= size;
    }
    return rc;
}

/* The child died (or overstayed, @p timed_out): the oldest record is a handler failure. */
static int record_crash(ldrun_child *child, int timed_out, ld_error *error)
{
    int status = reap(child, 1); /* dead already, or hanging */
    char description[300];
    const char *failure_type = "HandlerCrashed";
    if (timed_out) {
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
    child->answer_length = 0; /* a partial answer of the record that crashed */
    pending *p = oldest(child);
    json_t *locator = p->locator;
    p->locator = NULL;
    int rc = ldrun_handler_failed(child->out, failure_type, description, locator, p->where,
                                  error);
    pop(child);
    if (rc == LD_OK && child->count > 0)
        rc = spawn(child, error); /* the records behind it go to a new process */
    return rc;
}

/*
 * Send what the socket takes and apply the answers that came back; wait (poll) only
 * while more than @p keep records or @p keep_bytes bytes are in flight.
 */
static int pump(ldrun_child *child, size_t keep, size_t keep_bytes, ld_error *error)
{
    int rc = LD_OK;
    while (rc == LD_OK && child->count > 0) {
        int must_wait = child->count > keep || child->bytes > keep_bytes;
        struct pollfd pfd = {child->fd, POLLIN, 0};
        if (child->sent < child->count)
            pfd.events |= POLLOUT;
        int wait = must_wait ? -1 : 0;
        if (child->timeout_ms && child->sent > 0) {
            int64_t left = child->head_since + child->timeout_ms - now_ms();
            if (left <= 0) {
                rc = record_crash(child, 1, error);
                continue;
            }
            if (must_wait)
                wait = (int)left;
        }
        int ready = poll(&pfd, 1, wait);
        if (ready < 0 && errno == EINTR)
            continue; /* SIGINT/SIGTERM: the records in flight still finish */
        if (ready == 0 && !must_wait)
            break; /* nothing more to do without waiting */
        if (ready <= 0)
            continue;
        if (pfd.revents & POLLOUT) {
            /* The unsent records, in one call. */
            struct iovec iov[BATCH_RECORDS];
            int n_iov = 0;
            for (size_t i = child->sent; i < child->count && n_iov < BATCH_RECORDS; i++) {
                pending *p = &child->queue[(child->head + i) % PIPELINE_RECORDS];
                size_t skip = i == child->sent ? child->sent_offset : 0;
                iov[n_iov].iov_base = p->request + skip;
                iov[n_iov].iov_len = p->length - skip;
                n_iov++;
            }
            struct msghdr message = {0};
            message.msg_iov = iov;
            message.msg_iovlen = (size_t)n_iov;
            ssize_t n = sendmsg(child->fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                if (child->sent == 0)
                    child->head_since = now_ms(); /* the head's time starts now */
                size_t left = (size_t)n;
                while (left > 0) {
                    pending *p = &child->queue[(child->head + child->sent) % PIPELINE_RECORDS];
                    size_t rest = p->length - child->sent_offset;
                    if (left < rest) {
                        child->sent_offset += left;
                        break;
                    }
                    left -= rest;
                    child->sent++;
                    child->sent_offset = 0;
                }
            } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                pfd.revents |= POLLIN; /* the child is gone: read what it answered */
            }
        }
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            if (child->answer_capacity - child->answer_length < 65536) {
                size_t capacity = child->answer_capacity * 2 + 65536;
                char *grown = realloc(child->answer, capacity);
                if (grown == NULL) {
                    rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
                    break;
                }
                child->answer = grown;
                child->answer_capacity = capacity;
            }
            ssize_t n = read(child->fd, child->answer + child->answer_length,
                             child->answer_capacity - child->answer_length);
            if (n > 0) {
                child->answer_length += (size_t)n;
                rc = take_answers(child, error);
            } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                rc = take_answers(child, error);
                if (rc == LD_OK && child->count > 0)
                    rc = record_crash(child, 0, error);
            }
        }
    }
    if (rc != LD_OK)
        abandon(child); /* the task stops: what is still in flight is not wanted */
    return rc;
}

int ldrun_child_flush(ldrun_output *out, ld_error *error)
{
    if (out->child == NULL || out->child->count == 0)
        return LD_OK;
    out->child->out = out;
    return pump(out->child, 0, 0, error);
}

void ldrun_child_abandon(ldrun_child *child)
{
    if (child != NULL)
        abandon(child);
}

/* Queue one record; answers are applied as they come (in order). */
static int submit(ldrun_output *out, const request_head *head, const char *name,
                  const char *type, const char *where, const char *data, json_t *locator,
                  ld_error *error)
{
    ldrun_child *child = out->child;
    child->out = out;
    int rc = LD_OK;
    if (child->count == PIPELINE_RECORDS) /* cannot happen with the batch sizes; a guard */
        rc = pump(child, PIPELINE_RECORDS - 1, (size_t)-1, error);
    if (rc == LD_OK && child->pid == 0)
        rc = spawn(child, error);
    request_head h = *head;
    h.lengths[0] = (uint32_t)strlen(name);
    h.lengths[1] = (uint32_t)strlen(type);
    h.lengths[2] = (uint32_t)strlen(where);
    size_t length = sizeof h + h.lengths[0] + h.lengths[1] + h.lengths[2] + h.data_length;
    char *request = rc == LD_OK ? malloc(length) : NULL;
    char *where_copy = rc == LD_OK ? strdup(where) : NULL;
    if (rc == LD_OK && (request == NULL || where_copy == NULL))
        rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    if (rc != LD_OK) {
        free(request);
        free(where_copy);
        json_decref(locator);
        return rc;
    }
    char *p = request;
    memcpy(p, &h, sizeof h);
    p += sizeof h;
    memcpy(p, name, h.lengths[0]);
    p += h.lengths[0];
    memcpy(p, type, h.lengths[1]);
    p += h.lengths[1];
    memcpy(p, where, h.lengths[2]);
    p += h.lengths[2];
    memcpy(p, data, (size_t)h.data_length);
    pending *slot = &child->queue[(child->head + child->count) % PIPELINE_RECORDS];
    slot->request = request;
    slot->length = length;
    slot->where = where_copy;
    slot->locator = locator;
    child->count++;
    child->bytes += length;
    child->unsent_bytes += length;
    /* A batch is ready: send what the socket takes and apply what came back; wait only
     * when the window is full. */
    if (child->count - child->sent < BATCH_RECORDS && child->unsent_bytes < BATCH_BYTES)
        return LD_OK;
    child->unsent_bytes = 0;
    return pump(child, PIPELINE_RECORDS - BATCH_RECORDS, PIPELINE_BYTES, error);
}

int ldrun_child_parse_record(const ldrun_file_job *job, int64_t offset, const char *buffer,
                             size_t start, size_t end, const char *where, ldrun_output *out,
                             ld_error *error)
{
    request_head head = {CALL_PARSE_RECORD, LD_INTERFACE_SINGLE_FILE_PARSER, offset, 0,
                         {0, 0, 0}, 0, end - start};
    return submit(out, &head, job->file_name, job->s3_file_type, where, buffer + start,
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
    return submit(out, &head, path, "", where, line,
                  json_pack("{s:s, s:I}", "file", path, "line", (json_int_t)number), error);
}
