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
#include <sys/eventfd.h>  // MemoryCgroups: the v1 controller's out-of-memory events
#include <sys/inotify.h>  // and v2's
#include <malloc.h>  // malloc_trim and mallinfo2: glibc's, for FreedMemory

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
