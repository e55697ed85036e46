// The C surface jobsched uses: libevent (event loop + evhttp) and the POSIX
// process calls that go with it. Only Sources/JobSchedCore/{EventLoop,HTTP,Process}
// import this module.
#include <features.h>  // first: event-config.h defines _GNU_SOURCE, which breaks SwiftGlibc's fd_set
#include <event2/event.h>
#include <event2/http.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

// GNU-only declarations hidden by including features.h first.
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
