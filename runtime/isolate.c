/*
 * isolate.c - one invocation in a forked child process.
 *
 * The child inherits the registry (copy-on-write), runs ld_runtime_invoke(), writes the
 * envelope to a pipe and exits. The parent reads the pipe with a deadline; if the
 * child dies first or overstays, the parent answers an EXCEPTION envelope that says so.
 *
 * Many threads fork at once (one per HTTP worker), and fork() without exec ignores
 * O_CLOEXEC: a child forked while another thread still held its pipe's write end would
 * keep that end open, and a child that hangs would make the other request wait for an
 * EOF that never comes. So pipe creation, fork and the parent's close of the write end
 * happen under one lock (no write end is ever open in the parent when another thread
 * forks), and the parent stops reading as soon as the framed answer is complete instead
 * of waiting for EOF (a handler's own grandchildren cannot hold it up either).
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
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isolate.h"
#include "runtime_internal.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pthread_mutex_t fork_lock = PTHREAD_MUTEX_INITIALIZER;

/* Descriptors of the parent that a child must not keep (the server's listening socket:
 * a hanging child would keep the port bound after the server exits). */
static int parent_only_fds[8];
static size_t parent_only_count;

void ldrt_isolate_close_in_children(int fd)
{
    pthread_mutex_lock(&fork_lock);
    if (fd >= 0 && parent_only_count < sizeof parent_only_fds / sizeof parent_only_fds[0])
        parent_only_fds[parent_only_count++] = fd;
    pthread_mutex_unlock(&fork_lock);
}

void ldrt_isolate_forget(int fd)
{
    pthread_mutex_lock(&fork_lock);
    for (size_t i = 0; i < parent_only_count; i++) {
        if (parent_only_fds[i] == fd) {
            parent_only_fds[i] = parent_only_fds[--parent_only_count];
            break;
        }
    }
    pthread_mutex_unlock(&fork_lock);
}

static void write_fully(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        data += n;
        length -= (size_t)n;
    }
}

/* What the child writes before the envelope: an answer is complete only when all
 * @c length bytes arrived, whatever way the child then ends (under valgrind, for one,
 * it exits 1 reporting memory of the parent's other threads as leaked). */
typedef struct frame {
    uint64_t length;
    int32_t status_code;
    int32_t reserved;
} frame;

static void fail_envelope(ld_response *response, const char *type, const char *message)
{
    ldrt_failure failure = {0};
    ldrt_buf buf = LDRT_BUF_INIT;
    ldrt_fail(&failure, type, "", "%s", message);
    ldrt_envelope_exception(&buf, &failure);
    response->status_code = 500;
    response->body = buf.data;
    response->body_length = buf.oom ? 0 : buf.length;
    if (buf.oom) {
        ldrt_buf_free(&buf);
        response->body = NULL;
    }
}

ldrt_isolate_outcome ldrt_invoke_isolated(const ld_registry *registry, const char *request,
                                          size_t length, const ld_invoke_options *options,
                                          unsigned timeout_ms, ld_response *response,
                                          char *description, size_t description_size)
{
    char scratch[256];
    if (description == NULL) {
        description = scratch;
        description_size = sizeof scratch;
    }
    description[0] = '\0';
    ld_response_clear(response);

    int fds[2];
    pthread_mutex_lock(&fork_lock);
    if (pipe2(fds, O_CLOEXEC) != 0) {
        pthread_mutex_unlock(&fork_lock);
        snprintf(description, description_size, "cannot create a pipe: %s", strerror(errno));
        fail_envelope(response, "Runtime.Error", description);
        return LDRT_ISOLATE_ERROR;
    }
    pid_t child = fork();
    if (child < 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        pthread_mutex_unlock(&fork_lock);
        snprintf(description, description_size, "cannot fork: %s", strerror(saved));
        fail_envelope(response, "Runtime.Error", description);
        return LDRT_ISOLATE_ERROR;
    }
    if (child == 0) {
        /* The lock's copy stays held here: this process never takes it again. */
        close(fds[0]);
        for (size_t i = 0; i < parent_only_count; i++)
            close(parent_only_fds[i]);
        /* Die of a crash as the kernel delivers it, so the parent can name the signal:
         * handlers inherited from the host (a test framework, a sanitizer, a crash
         * reporter) would turn it into an exit status or jump back into host code. */
        static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
        for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
            signal(fatal[i], SIG_DFL);
        ld_response child_response = LD_RESPONSE_INIT;
        if (ld_runtime_invoke(registry, request, length, options, &child_response) == LD_OK) {
            frame header = {child_response.body_length, child_response.status_code, 0};
            write_fully(fds[1], (const char *)&header, sizeof header);
            write_fully(fds[1], child_response.body, child_response.body_length);
        }
        /* _exit: no atexit handlers or stdio flushing of the parent's state. */
        _exit(child_response.body != NULL ? 0 : 3);
    }
    close(fds[1]);
    pthread_mutex_unlock(&fork_lock);

    ldrt_buf buf = LDRT_BUF_INIT;
    int64_t deadline = timeout_ms ? now_ms() + timeout_ms : 0;
    int timed_out = 0;
    for (;;) {
        int wait = -1;
        if (deadline) {
            int64_t left = deadline - now_ms();
            if (left <= 0) {
                timed_out = 1;
                break;
            }
            wait = (int)left;
        }
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int ready = poll(&pfd, 1, wait);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0)
            continue; /* the deadline check above ends the loop */
        char chunk[65536];
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        ldrt_buf_append(&buf, chunk, (size_t)n);
        if (buf.oom)
            break;
        if (buf.length >= sizeof(frame)) {
            frame head;
            memcpy(&head, buf.data, sizeof head);
            if (buf.length - sizeof head >= head.length)
                break; /* the whole answer is here: do not wait for EOF */
        }
    }
    close(fds[0]);
    if (timed_out)
        kill(child, SIGKILL);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;

    if (timed_out) {
        ldrt_buf_free(&buf);
        snprintf(description, description_size,
                 "the handler did not answer within %u ms and was stopped", timeout_ms);
        fail_envelope(response, "Runtime.HandlerTimeout", description);
        return LDRT_ISOLATE_TIMEOUT;
    }
    frame header;
    if (!buf.oom && buf.length >= sizeof header) {
        memcpy(&header, buf.data, sizeof header);
        if (header.length == buf.length - sizeof header) {
            memmove(buf.data, buf.data + sizeof header, (size_t)header.length);
            buf.data[header.length] = '\0';
            response->body = buf.data;
            response->body_length = (size_t)header.length;
            response->status_code = header.status_code;
            return LDRT_ISOLATE_OK;
        }
    }
    ldrt_buf_free(&buf);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *abbrev = sigabbrev_np(sig);
        snprintf(description, description_size,
                 "the handler crashed: the invocation process was killed by SIG%s (%s)",
                 abbrev != NULL ? abbrev : "?", strsignal(sig));
    } else {
        snprintf(description, description_size,
                 "the handler ended the invocation process (exit status %d) before it "
                 "answered",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    fail_envelope(response, "Runtime.HandlerCrashed", description);
    return LDRT_ISOLATE_CRASHED;
}
