/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Freestanding <signal.h>: liblzma's single-threaded mythread.h names sigprocmask() in an
 * inline helper it never calls in the decoder; firmware has no signals. */
#pragma once

typedef unsigned long sigset_t;

static inline int sigprocmask(int how, const sigset_t *set, sigset_t *old) {
        (void) how, (void) set, (void) old;
        return 0;
}
