// Holds N requests `GET PATH` (Connection: close) to 127.0.0.1:PORT, each on
// its own connection. Once all are sent it prints "sent" and waits for a line
// on stdin; then it releases them (RELEASE is fifo:FILE, opened for writing
// and closed, or http:/PATH, requested on a new connection) and waits for
// every reply. Prints: ms from release to the last reply, replies that were 200.
//   waiters PORT N PATH RELEASE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int open_connection(int blocking) {
    int fd = socket(AF_INET, SOCK_STREAM | (blocking ? 0 : SOCK_NONBLOCK), 0);
    if (fd < 0) { perror("socket"); exit(1); }
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) && errno != EINPROGRESS) { perror("connect"); exit(1); }
    return fd;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: waiters PORT N PATH RELEASE\n"); return 2; }
    int n = atoi(argv[2]);
    signal(SIGPIPE, SIG_IGN);  // a server that closes early is reported, not fatal
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(argv[1]));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    char request[4096];
    int length = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", argv[3]);
    int ep = epoll_create1(0);
    char *ok = calloc(n + 1, 1);
    int connecting = 0, opened = 0, sent = 0;
    struct epoll_event events[1024];
    // Connect at most 256 at a time, so as not to overflow the listen backlog.
    while (sent < n) {
        while (opened < n && connecting < 256) {
            int fd = open_connection(0);
            struct epoll_event e = {.events = EPOLLOUT, .data.u64 = ((uint64_t)opened << 32) | (uint32_t)fd};
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
            opened++, connecting++;
        }
        int k = epoll_wait(ep, events, 1024, 10000);
        if (k <= 0) { fprintf(stderr, "connecting timed out\n"); return 1; }
        for (int i = 0; i < k; i++) {
            int fd = (int)(uint32_t)events[i].data.u64;
            if (write(fd, request, length) != length) { perror("write"); return 1; }
            struct epoll_event e = {.events = EPOLLIN, .data.u64 = events[i].data.u64};
            epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
            connecting--, sent++;
        }
    }
    printf("sent\n");
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin)) return 1;
    double t0 = now();
    if (!strncmp(argv[4], "fifo:", 5)) {
        int fd = open(argv[4] + 5, O_WRONLY);
        if (fd < 0) { perror(argv[4]); return 1; }
        close(fd);
    } else {
        int fd = open_connection(1);
        char release[4096];
        int m = snprintf(release, sizeof release, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", argv[4] + 5);
        if (write(fd, release, m) != m) { perror("write"); return 1; }
        close(fd);
    }
    int closed = 0, good = 0;
    char buf[4096];
    while (closed < n) {
        int k = epoll_wait(ep, events, 1024, 60000);
        if (k <= 0) { fprintf(stderr, "replies timed out: %d of %d\n", closed, n); return 1; }
        for (int i = 0; i < k; i++) {
            int fd = (int)(uint32_t)events[i].data.u64, index = (int)(events[i].data.u64 >> 32);
            ssize_t r = read(fd, buf, sizeof buf);
            if (r > 0) {
                if (!ok[index]) ok[index] = r >= 12 && !memcmp(buf, "HTTP/1.1 200", 12) ? 1 : 2;
                continue;
            }
            if (r < 0 && errno == EAGAIN) continue;
            close(fd);
            closed++;
            if (ok[index] == 1) good++;
        }
    }
    printf("%.3f %d\n", (now() - t0) * 1000, good);
    return 0;
}
