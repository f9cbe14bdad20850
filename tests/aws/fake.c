/*
 * fake.c - see fake.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "fake.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http_client.h"

int fake_aws_start(fake_aws *fake, const char *const *extra)
{
    memset(fake, 0, sizeof *fake);
    const char *python = getenv("LD_PYTHON");
    const char *script = getenv("LD_FAKE_AWS");
    if (python == NULL || script == NULL) {
        fprintf(stderr, "fake_aws_start: LD_PYTHON and LD_FAKE_AWS must be set (meson does)\n");
        return -1;
    }
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        return -1;
    const char *argv[64] = {python, script, "--key", FAKE_KEY ":" FAKE_SECRET,
                            "--key", FAKE_TOKEN_KEY ":" FAKE_TOKEN_SECRET ":" FAKE_TOKEN,
                            "--region", FAKE_REGION, "--bucket", FAKE_BUCKET};
    int argc = 10;
    for (const char *const *e = extra; e != NULL && *e != NULL && argc < 62; e++)
        argv[argc++] = *e;
    argv[argc] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execvp(python, (char *const *)argv);
        perror("exec python");
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    fake->pid = pid;
    fake->stdin_fd = in[1];
    FILE *f = fdopen(out[0], "r");
    char line[128] = "";
    if (f == NULL || fgets(line, sizeof line, f) == NULL ||
        sscanf(line, "PORT %u", &fake->port) != 1) {
        fprintf(stderr, "fake_aws_start: the server did not start (python3 with botocore?)\n");
        if (f != NULL)
            fclose(f);
        fake_aws_stop(fake);
        return -1;
    }
    fclose(f);
    snprintf(fake->url, sizeof fake->url, "http://127.0.0.1:%u", fake->port);
    return 0;
}

void fake_aws_stop(fake_aws *fake)
{
    if (fake->stdin_fd > 0)
        close(fake->stdin_fd);
    fake->stdin_fd = -1;
    if (fake->pid > 0) {
        int status;
        for (int i = 0; i < 50; i++) {
            if (waitpid(fake->pid, &status, WNOHANG) == fake->pid) {
                fake->pid = 0;
                return;
            }
            usleep(100 * 1000);
        }
        kill(fake->pid, SIGKILL);
        waitpid(fake->pid, &status, 0);
        fake->pid = 0;
    }
}

long fake_admin(const fake_aws *fake, const char *method, const char *what, const char *body,
                json_t **answer)
{
    char path[256];
    snprintf(path, sizeof path, "/__admin/%s", what);
    ldt_http_reply reply = {0};
    ldt_http_request(method, fake->port, path, body, body != NULL ? strlen(body) : 0, &reply);
    if (answer != NULL)
        *answer = reply.body != NULL ? json_loads(reply.body, 0, NULL) : NULL;
    long status = reply.status;
    ldt_http_reply_free(&reply);
    return status;
}

void fake_fault(const fake_aws *fake, const char *json)
{
    fake_admin(fake, "POST", "fault", json, NULL);
}

json_t *fake_log(const fake_aws *fake)
{
    json_t *log = NULL;
    fake_admin(fake, "GET", "log", NULL, &log);
    return log;
}

void fake_log_clear(const fake_aws *fake)
{
    fake_admin(fake, "DELETE", "log", NULL, NULL);
}

size_t fake_log_count(const fake_aws *fake, const char *method, const char *path)
{
    json_t *log = fake_log(fake);
    size_t i, count = 0;
    json_t *entry;
    json_array_foreach(log, i, entry)
    {
        if (strcmp(json_string_value(json_object_get(entry, "method")), method) == 0 &&
            strcmp(json_string_value(json_object_get(entry, "path")), path) == 0)
            count++;
    }
    json_decref(log);
    return count;
}
