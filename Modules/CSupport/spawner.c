// The job spawner: a process forked from the server at its start, that starts
// jobs on its behalf. See include/CSupport.h.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>
#include "CSupport.h"

// What crosses the socket: a header (with the descriptors attached), the
// strings it counts, back to back and each NUL-terminated, then the reply.
struct request_header {
    uint32_t bytes;        // of the strings that follow
    int32_t argc, envc;
    int32_t has_directory;
    int32_t stdout_index;  // which received descriptor becomes 1 (-1: /dev/null)
    int32_t stderr_index;  // the same for 2
    int32_t descriptors;   // how many come attached (0..2)
    int32_t has_cpus;      // pinned to `cpus`
    cpu_set_t cpus;
    int32_t has_cgroup;    // moved into the cgroup whose cgroup.procs is the last string
};

static int write_exactly(int fd, const void *buffer, size_t count);

// What comes back, in order: the answer to each request (once the job's
// process exists), and for a process that then could not exec, a failure.
struct message {
    int32_t kind;   // JOBSCHED_SPAWNER_ANSWER or JOBSCHED_SPAWNER_LATE_FAILURE
    int32_t pid;
    int32_t error;  // errno, 0 when the process exists (an answer) or ran (never sent)
    int32_t stage;  // JOBSCHED_SPAWN_FAILED_*
};

// The child's instructions, in the spawner's memory, which the child shares
// until it execs (CLONE_VM).
struct child_plan {
    const char *executable;
    char **argv, **envp;
    const char *directory;
    int stdout_fd, stderr_fd;  // -1: /dev/null
    int server_fd;             // the socket to the server
    const cpu_set_t *cpus;     // NULL: not pinned
    const char *cgroup_procs;  // the cgroup.procs file of its cgroup; NULL: the spawner's
};

static const int default_signals[] = {SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGHUP, SIGQUIT, SIGXFSZ};

// Runs in the new process, on its own small stack, before exec, while the
// spawner waits (CLONE_VFORK): only system calls and what `plan` holds. It
// answers the server itself as soon as it can be stopped as a job (its own
// group, default signals), so that the server goes on while it execs. A failure after that is told to the server before the
// process exits, so that the server knows it before it reaps it.
static _Noreturn void fail(struct child_plan *plan, int stage) {
    struct message late = {JOBSCHED_SPAWNER_LATE_FAILURE, (int32_t)getpid(), errno, stage};
    (void)write_exactly(plan->server_fd, &late, sizeof late);
    _exit(127);
}

// Moves the calling process into the cgroup of `procs` (its cgroup.procs
// file): "0" names the writer, in cgroup v1 and v2 alike.
static int join_cgroup(const char *procs) {
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int failed = write(fd, "0", 1) != 1;
    int error = errno;
    close(fd);
    errno = error;
    return failed ? -1 : 0;
}

static int child_main(void *argument) {
    struct child_plan *plan = argument;
    // Before the answer, which lets the server stop the job: a SIGTERM to
    // its group must find the group, and not the spawner's SIG_IGN.
    for (size_t i = 0; i < sizeof default_signals / sizeof default_signals[0]; i++) signal(default_signals[i], SIG_DFL);
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    setpgid(0, 0);
    struct message answer = {JOBSCHED_SPAWNER_ANSWER, (int32_t)getpid(), 0, 0};
    (void)write_exactly(plan->server_fd, &answer, sizeof answer);
    if (plan->cpus && sched_setaffinity(0, sizeof *plan->cpus, plan->cpus) != 0) fail(plan, JOBSCHED_SPAWN_FAILED_AFFINITY);
    // Before the exec, so that everything the job starts is in it too.
    if (plan->cgroup_procs && join_cgroup(plan->cgroup_procs) != 0) fail(plan, JOBSCHED_SPAWN_FAILED_CGROUP);
    int targets[2] = {plan->stdout_fd, plan->stderr_fd};
    for (int i = 0; i < 2; i++) {
        int fd = targets[i] >= 0 ? targets[i] : open("/dev/null", O_WRONLY | O_CLOEXEC);
        // dup2 clears close-on-exec on the copy; a descriptor already in place needs it cleared by hand.
        if (fd == i + 1) {
            fcntl(fd, F_SETFD, 0);
        } else if (fd < 0 || dup2(fd, i + 1) < 0) {
            fail(plan, JOBSCHED_SPAWN_FAILED_OUTPUT);
        }
    }
    // The socket to the server stays until the exec (it is close-on-exec), and
    // nothing else of the spawner's: below the job's descriptor limit however many it has.
    if (plan->server_fd != 3 && dup3(plan->server_fd, 3, O_CLOEXEC) == 3) plan->server_fd = 3;
    syscall(SYS_close_range, 4U, ~0U, 0);
    int input = open("/dev/null", O_RDONLY);
    if (input != 0) {
        if (input < 0 || dup2(input, 0) < 0) fail(plan, JOBSCHED_SPAWN_FAILED_OUTPUT);
        close(input);
    }
    if (plan->directory && chdir(plan->directory) != 0) fail(plan, JOBSCHED_SPAWN_FAILED_DIRECTORY);
    execvpe(plan->executable, plan->argv, plan->envp);
    fail(plan, JOBSCHED_SPAWN_FAILED_EXEC);
}

static int read_exactly(int fd, void *buffer, size_t count) {
    char *at = buffer;
    while (count > 0) {
        ssize_t n = read(fd, at, count);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        at += n;
        count -= (size_t)n;
    }
    return 0;
}

static int write_exactly(int fd, const void *buffer, size_t count) {
    const char *at = buffer;
    while (count > 0) {
        ssize_t n = write(fd, at, count);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        at += n;
        count -= (size_t)n;
    }
    return 0;
}

// Points `list[0..count)` at the next `count` strings of `*cursor`, NULL after them.
static int split_strings(char **cursor, char *end, char **list, int count) {
    for (int i = 0; i < count; i++) {
        char *nul = memchr(*cursor, 0, (size_t)(end - *cursor));
        if (!nul) return -1;
        list[i] = *cursor;
        *cursor = nul + 1;
    }
    list[count] = NULL;
    return 0;
}

// Serves one request; returns -1 when the server has gone.
static int serve_one(int sock) {
    struct request_header header;
    int received[2] = {-1, -1};
    char control[CMSG_SPACE(sizeof received)];
    struct iovec iov = {&header, sizeof header};
    struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t n;
    do n = recvmsg(sock, &message, MSG_CMSG_CLOEXEC | MSG_WAITALL); while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof header) return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            memcpy(received, CMSG_DATA(c), (count > 2 ? 2 : count) * sizeof(int));
        }
    }
    struct message answer = {JOBSCHED_SPAWNER_ANSWER, 0, 0, 0};
    char *strings = malloc(header.bytes + 1);
    char **argv = malloc(sizeof(char *) * ((size_t)header.argc + 1));
    char **envp = malloc(sizeof(char *) * ((size_t)header.envc + 1));
    if (!strings || !argv || !envp || read_exactly(sock, strings, header.bytes) != 0) {
        free(strings), free(argv), free(envp);
        return -1;
    }
    char *cursor = strings, *end = strings + header.bytes;
    char *executable[2], *directory[2] = {NULL, NULL}, *cgroup_procs[2] = {NULL, NULL};
    int result = 0;
    if (split_strings(&cursor, end, executable, 1) != 0 || split_strings(&cursor, end, argv, header.argc) != 0
        || split_strings(&cursor, end, envp, header.envc) != 0
        || (header.has_directory && split_strings(&cursor, end, directory, 1) != 0)
        || (header.has_cgroup && split_strings(&cursor, end, cgroup_procs, 1) != 0)) {
        answer.error = EINVAL;
        answer.stage = JOBSCHED_SPAWN_FAILED_REQUEST;
        result = write_exactly(sock, &answer, sizeof answer);
    } else {
        struct child_plan plan = {
            .executable = executable[0], .argv = argv, .envp = envp, .directory = directory[0],
            .stdout_fd = header.stdout_index >= 0 && header.stdout_index < 2 ? received[header.stdout_index] : -1,
            .stderr_fd = header.stderr_index >= 0 && header.stderr_index < 2 ? received[header.stderr_index] : -1,
            .server_fd = sock,
            .cpus = header.has_cpus ? &header.cpus : NULL,
            .cgroup_procs = cgroup_procs[0],
        };
        static char stack[64 * 1024] __attribute__((aligned(16)));
        // CLONE_PARENT: the job is the server's child, so its end, status and
        // rusage go to the server. CLONE_VFORK: back here once it has exec'd or
        // exited; it answers the server itself, before that.
        pid_t pid = clone(child_main, stack + sizeof stack, CLONE_VM | CLONE_VFORK | CLONE_PARENT | SIGCHLD, &plan);
        if (pid < 0) {
            answer.error = errno;
            answer.stage = JOBSCHED_SPAWN_FAILED_CLONE;
            result = write_exactly(sock, &answer, sizeof answer);
        }
    }
    for (int i = 0; i < 2; i++) if (received[i] >= 0) close(received[i]);
    free(strings), free(argv), free(envp);
    // A huge command raised this process's peak memory, which every later
    // job would inherit as its own peak (ru_maxrss): start the peak again.
    if (header.bytes > (1u << 20)) {
        int clear_refs = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
        if (clear_refs >= 0) {
            (void)write(clear_refs, "5", 1);
            close(clear_refs);
        }
    }
    return result;
}

// The spawner's peak memory is the floor of every job's ru_maxrss. Forked, it
// holds copies of the server's mappings, and runs nothing but the C of this
// file and the C library. So the libraries it never calls (the Swift runtime,
// SQLite, libevent, in a dynamically linked build) are unmapped, with the
// pages they had written; and the pages of files that it keeps (code,
// constants, data never written) are let go, since they come back from the
// file if touched. Written pages of what it keeps (its data, heap, stack)
// are what the floor is made of. The mappings are listed first and changed
// after, so that reading /proc does not bring back the code it runs.
enum { MAX_RUNS = 8192 };
static struct { unsigned long start, end; int unmap; } runs[MAX_RUNS];

// Whether a mapped file is one the spawner runs: its own executable, or the C library's.
static int is_kept_file(const char *path, const char *executable) {
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    return strcmp(path, executable) == 0 || strncmp(name, "libc.so", 7) == 0 || strncmp(name, "libc-", 5) == 0
        || strncmp(name, "ld-linux", 8) == 0 || strncmp(name, "libpthread", 10) == 0;
}

static void add_run(size_t *count, unsigned long start, unsigned long end, int unmap) {
    if (*count == MAX_RUNS) return;
    runs[*count].start = start;
    runs[*count].end = end;
    runs[(*count)++].unmap = unmap;
}

// Appends the runs of present pages that are the file's own (not private copies) in [start, end).
static void add_file_page_runs(size_t *count, int pagemap, unsigned long start, unsigned long end) {
    const uint64_t present = 1ULL << 63, file = 1ULL << 61;
    const unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE);
    uint64_t entries[512];
    unsigned long run = 0;
    for (unsigned long at = start; at < end; ) {
        size_t wanted = (end - at) / page < 512 ? (end - at) / page : 512;
        ssize_t n = pread(pagemap, entries, wanted * sizeof entries[0], (off_t)(at / page * sizeof entries[0]));
        if (n <= 0) break;
        for (size_t i = 0; i < (size_t)n / sizeof entries[0]; i++, at += page) {
            int droppable = (entries[i] & present) && (entries[i] & file);
            if (droppable && !run) run = at;
            if (!droppable && run) {
                add_run(count, run, at, 0);
                run = 0;
            }
        }
    }
    if (run) add_run(count, run, end, 0);
}

static void shed_memory(void) {
    char executable[4096];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    executable[length > 0 ? length : 0] = 0;
    FILE *maps = fopen("/proc/self/maps", "re");
    int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    size_t count = 0;
    if (maps && pagemap >= 0) {
        char line[4096 + 128];
        while (fgets(line, sizeof line, maps)) {
            unsigned long start, end, inode;
            int path = 0;
            if (sscanf(line, "%lx-%lx %*s %*s %*s %lu %n", &start, &end, &inode, &path) != 3 || inode == 0) continue;
            line[strcspn(line, "\n")] = 0;
            if (length > 0 && !is_kept_file(line + path, executable)) {
                add_run(&count, start, end, 1);
            } else {
                add_file_page_runs(&count, pagemap, start, end);
            }
        }
    }
    if (maps) fclose(maps);
    if (pagemap >= 0) close(pagemap);
    for (size_t i = 0; i < count; i++) {
        if (runs[i].unmap) {
            munmap((void *)runs[i].start, runs[i].end - runs[i].start);
        } else {
            madvise((void *)runs[i].start, runs[i].end - runs[i].start, MADV_DONTNEED);
        }
    }
    int clear_refs = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (clear_refs >= 0) {
        (void)write(clear_refs, "5", 1);
        close(clear_refs);
    }
}

pid_t jobsched_spawner_start(int *server_socket, uint64_t slice_nanoseconds) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return -1;
    pid_t pid = fork();
    if (pid != 0) {
        close(pair[1]);
        if (pid < 0) {
            close(pair[0]);
            return -1;
        }
        // A request waits only while the socket's buffer is full: a spawner
        // that stopped reading (stopped, say) must not hold the server long.
        struct timeval limit = {1, 0};
        setsockopt(pair[0], SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
        *server_socket = pair[0];
        return pid;
    }
    // The spawner: it ends with the server, and the terminal's signals are the server's to handle.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_NAME, "jobsched-spawn");
    if (getppid() == 1) _exit(0);
    // Its handlers (the Swift runtime's crash reporter) are code it lets go of.
    for (int signal_number = 1; signal_number < NSIG; signal_number++) {
        struct sigaction action;
        if (sigaction(signal_number, NULL, &action) == 0 && action.sa_handler != SIG_IGN && action.sa_handler != SIG_DFL) {
            signal(signal_number, SIG_DFL);
        }
    }
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    int sock = dup3(pair[1], 3, O_CLOEXEC) == 3 ? 3 : pair[1];
    syscall(SYS_close_range, 4U, ~0U, 0);
    // Woken on every job's start, as the server is (its own slice did not pass the fork).
    jobsched_request_scheduling_slice(slice_nanoseconds);
    shed_memory();
    while (serve_one(sock) == 0) {}
    _exit(0);
}

// A cpu set of the ids (those past CPU_SETSIZE are left out).
static void make_cpu_set(cpu_set_t *set, const int *cpu_ids, int count) {
    CPU_ZERO(set);
    for (int i = 0; i < count; i++) if (cpu_ids[i] >= 0 && cpu_ids[i] < CPU_SETSIZE) CPU_SET(cpu_ids[i], set);
}

int jobsched_get_affinity(int *cpu_ids, int max) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && count < max; cpu++) if (CPU_ISSET(cpu, &set)) cpu_ids[count++] = cpu;
    return count;
}

int jobsched_set_affinity(const int *cpu_ids, int count) {
    cpu_set_t set;
    make_cpu_set(&set, cpu_ids, count);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : errno;
}

int jobsched_spawner_request(int sock, const char *executable, char *const argv[], char *const envp[],
                             const char *directory, int stdout_fd, int stderr_fd, const int *cpu_ids, int cpu_count,
                             const char *cgroup_procs) {
    struct request_header header = {0, 0, 0, directory != NULL, -1, -1, 0, cpu_count > 0, {{0}}, cgroup_procs != NULL};
    if (cpu_count > 0) make_cpu_set(&header.cpus, cpu_ids, cpu_count);
    int descriptors[2];
    if (stdout_fd >= 0) { header.stdout_index = header.descriptors; descriptors[header.descriptors++] = stdout_fd; }
    if (stderr_fd >= 0) {
        if (stderr_fd == stdout_fd) {
            header.stderr_index = header.stdout_index;
        } else {
            header.stderr_index = header.descriptors;
            descriptors[header.descriptors++] = stderr_fd;
        }
    }
    size_t bytes = strlen(executable) + 1 + (directory ? strlen(directory) + 1 : 0) + (cgroup_procs ? strlen(cgroup_procs) + 1 : 0);
    for (header.argc = 0; argv[header.argc]; header.argc++) bytes += strlen(argv[header.argc]) + 1;
    for (header.envc = 0; envp[header.envc]; header.envc++) bytes += strlen(envp[header.envc]) + 1;
    header.bytes = (uint32_t)bytes;
    char *strings = malloc(bytes);
    if (!strings) return ENOMEM;
    char *at = strings;
#define APPEND(text) do { size_t length = strlen(text) + 1; memcpy(at, text, length); at += length; } while (0)
    APPEND(executable);
    for (int i = 0; i < header.argc; i++) APPEND(argv[i]);
    for (int i = 0; i < header.envc; i++) APPEND(envp[i]);
    if (directory) APPEND(directory);
    if (cgroup_procs) APPEND(cgroup_procs);
#undef APPEND
    char control[CMSG_SPACE(sizeof descriptors)];
    memset(control, 0, sizeof control);
    // The header (with the descriptors) and the strings in one call.
    struct iovec iov[2] = {{&header, sizeof header}, {strings, bytes}};
    struct msghdr message = {.msg_iov = iov, .msg_iovlen = 2};
    if (header.descriptors > 0) {
        message.msg_control = control;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)header.descriptors);
        struct cmsghdr *c = CMSG_FIRSTHDR(&message);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)header.descriptors);
        memcpy(CMSG_DATA(c), descriptors, sizeof(int) * (size_t)header.descriptors);
    }
    ssize_t n;
    do n = sendmsg(sock, &message, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    size_t total = sizeof header + bytes;
    int failed = n < (ssize_t)sizeof header
        || (n < (ssize_t)total && write_exactly(sock, (char *)strings + (n - (ssize_t)sizeof header), total - (size_t)n) != 0);
    int error = errno;
    free(strings);
    return failed ? (error ? error : EPIPE) : 0;
}

int jobsched_spawner_receive(int sock, int32_t *kind, pid_t *pid, int *error, int *stage) {
    struct message message;
    ssize_t n;
    // Each message is one write of 16 bytes, which a stream socket keeps whole.
    do n = recv(sock, &message, sizeof message, MSG_DONTWAIT); while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    if (n != (ssize_t)sizeof message) return -1;
    *kind = message.kind;
    *pid = message.pid;
    *error = message.error;
    *stage = message.stage;
    return 1;
}
