#ifndef ORKESTRON_CLINUXSCHEDULING_H
#define ORKESTRON_CLINUXSCHEDULING_H

#include <stdint.h>

/* Asks the kernel's fair scheduler (EEVDF, Linux 6.12 and later) for a time slice of `nanoseconds` for the
 * calling thread, keeping its policy (SCHED_OTHER) and nice value. A thread with a short slice gets an early
 * virtual deadline, so when it wakes it preempts a thread with the default slice (0.75 ms scaled by the CPU
 * count: 1.4 ms on a 2-core machine) instead of waiting for that slice to end; it gets no more CPU time overall.
 * No privilege is needed. The kernel clamps the value to 0.1–100 ms; kernels before 6.12 ignore it.
 *
 * sched_setattr(2) has no glibc wrapper before 2.41 and syscall(2) is variadic, which Swift cannot call: hence
 * this function. Returns 0, or the errno of the failed call. */
int orkestron_request_time_slice(uint64_t nanoseconds);

/* Sets the calling thread's nice value (on Linux a thread's own, not the whole process's). Raising the priority
 * (a value below the current one) needs CAP_SYS_NICE or an RLIMIT_NICE that allows it (systemd's LimitNICE=).
 * Returns 0, or the errno of the refusal (EACCES, EPERM), leaving the value as it was. */
int orkestron_set_thread_nice(int nice);

/* Lowers RLIMIT_NICE, soft and hard, to 0 (the default: no raising of priorities without CAP_SYS_NICE), so that
 * processes started later cannot use what the limit granted this one. Returns 0, or the errno of the failure. */
int orkestron_drop_nice_limit(void);

#endif
