/*
 * interrupt.c - SIGINT and SIGTERM during `run`: the handlers only record the signal; the
 * readers check it between records, so the record in flight finishes, and the task
 * control (tasks.c) keeps what is complete, writes the checkpoint and the summary. A
 * second signal ends the process at once (the checkpoint still allows --resume).
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "runner_internal.h"

/* Lock-free, so safe to set from a signal handler and to read from every thread. */
static atomic_int stop_signal;
static struct sigaction previous[2];
static const int caught[2] = {SIGINT, SIGTERM};

int ldrun_stop_signal(void)
{
    return atomic_load_explicit(&stop_signal, memory_order_relaxed);
}

void ldrun_request_stop(int signal_number)
{
    int expected = 0;
    atomic_compare_exchange_strong(&stop_signal, &expected, signal_number);
}

static void on_signal(int signal_number)
{
    ldrun_request_stop(signal_number);
}

void ldrun_interrupt_install(void)
{
    atomic_store(&stop_signal, 0);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    /* No SA_RESTART: a wait on an isolated handler wakes up and sees the flag. The
     * second signal gets the default action: stop now. */
    action.sa_flags = (int)SA_RESETHAND;
    for (int i = 0; i < 2; i++)
        sigaction(caught[i], &action, &previous[i]);
}

void ldrun_interrupt_restore(void)
{
    for (int i = 0; i < 2; i++)
        sigaction(caught[i], &previous[i], NULL);
}
