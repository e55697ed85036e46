// Baseline: run `bash -c true` N times with at most INFLIGHT at once, as a
// scheduler's floor. Prints: total seconds, and the median ms from spawn to reap.
//   spawn N INFLIGHT
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: spawn N INFLIGHT\n"); return 2; }
    int n = atoi(argv[1]), inflight = atoi(argv[2]);
    double *lat = calloc(n, sizeof *lat);
    pid_t *pids = calloc(inflight, sizeof *pids);
    double *started = calloc(inflight, sizeof *started);
    char *args[] = {"bash", "-c", "true", NULL};
    int launched = 0, done = 0, running = 0;
    double t0 = now();
    while (done < n) {
        while (running < inflight && launched < n) {
            int slot = 0;
            while (pids[slot]) slot++;
            if (posix_spawn(&pids[slot], "/bin/bash", NULL, NULL, args, environ) != 0) { perror("posix_spawn"); return 1; }
            started[slot] = now();
            launched++, running++;
        }
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) { perror("waitpid"); return 1; }
        for (int slot = 0; slot < inflight; slot++) {
            if (pids[slot] == pid) {
                lat[done++] = (now() - started[slot]) * 1000;
                pids[slot] = 0;
                running--;
            }
        }
    }
    double total = now() - t0;
    qsort(lat, n, sizeof *lat, cmp);
    printf("%.6f %.4f\n", total, lat[n / 2]);
    return 0;
}
