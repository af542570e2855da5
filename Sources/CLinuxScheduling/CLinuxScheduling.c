#define _GNU_SOURCE
#include "CLinuxScheduling.h"

#include <errno.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The first version of the kernel's struct sched_attr (SCHED_ATTR_SIZE_VER0, 48 bytes). */
struct orkestron_sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
};

int orkestron_request_time_slice(uint64_t nanoseconds) {
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, 0); /* On Linux: this thread's nice value. */
    if (nice == -1 && errno != 0) return errno;
    struct orkestron_sched_attr attr = {
        .size = sizeof(attr), .sched_policy = SCHED_OTHER, .sched_nice = nice, .sched_runtime = nanoseconds,
    };
    return syscall(SYS_sched_setattr, 0, &attr, 0) == 0 ? 0 : errno;
}

int orkestron_set_thread_nice(int nice) {
    return setpriority(PRIO_PROCESS, 0, nice) == 0 ? 0 : errno; /* 0: the calling thread, on Linux. */
}

int orkestron_drop_nice_limit(void) {
    struct rlimit none = { .rlim_cur = 0, .rlim_max = 0 };
    return setrlimit(RLIMIT_NICE, &none) == 0 ? 0 : errno;
}
