// The POSIX and Linux calls jobsched needs that Glibc's Swift module does not
// give in a callable form. Only Sources/JobSchedSystem imports this module.
#include <features.h>  // first, without _GNU_SOURCE, as in CLibEvent: both must agree on fd_set
#include <sys/wait.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

// GNU-only declarations.
extern int pipe2(int pipefd[2], int flags);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *, int);
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *, const char *);

// Function-like macros are not imported into Swift.
static inline int shim_wifexited(int status) { return WIFEXITED(status); }
static inline int shim_wexitstatus(int status) { return WEXITSTATUS(status); }
static inline int shim_wifsignaled(int status) { return WIFSIGNALED(status); }
static inline int shim_wtermsig(int status) { return WTERMSIG(status); }

// prctl is variadic, which Swift cannot call.
static inline int shim_become_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

// Asks for scheduling slices of `nanoseconds` for this process only: with
// SCHED_FLAG_RESET_ON_FORK the processes it starts keep the default. The
// slice is what EEVDF (Linux 6.12+) reads from sched_runtime for normal
// tasks; older kernels ignore it. Nice value and policy are kept as they are.
// glibc has no wrapper for sched_setattr, and syscall is variadic.
static inline int shim_request_scheduling_slice(uint64_t nanoseconds) {
    struct {
        uint32_t size, policy;
        uint64_t flags;
        int32_t nice;
        uint32_t priority;
        uint64_t runtime, deadline, period;
    } attr;
    memset(&attr, 0, sizeof attr);
    if (syscall(SYS_sched_getattr, 0, &attr, sizeof attr, 0) != 0) return -1;
    attr.size = sizeof attr;
    attr.flags = 0x01;  // SCHED_FLAG_RESET_ON_FORK
    attr.runtime = nanoseconds;
    return (int)syscall(SYS_sched_setattr, 0, &attr, 0);
}
