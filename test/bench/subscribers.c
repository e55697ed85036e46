// Holds N `GET PATH` streams (/events) to 127.0.0.1:PORT, each on its own
// connection, and reads everything they send, as N live clients would. Prints
// "connected" once every stream has sent its first bytes, then reads until a
// line comes on stdin; then prints: bytes received, streams the server closed.
//   subscribers PORT N PATH
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: subscribers PORT N PATH\n"); return 2; }
    int n = atoi(argv[2]);
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    char request[4096];
    int length = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", argv[3]);
    int ep = epoll_create1(0);
    struct epoll_event stdin_event = {.events = EPOLLIN, .data.fd = 0};
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &stdin_event);
    char *answered = calloc(n, 1);
    int *fds = calloc(n, sizeof *fds);
    for (int i = 0; i < n; i++) {
        // Blocking connect and send: the listen backlog takes them in turn.
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&addr, sizeof addr)) { perror("connect"); return 1; }
        if (write(fds[i], request, length) != length) { perror("write"); return 1; }
        struct epoll_event e = {.events = EPOLLIN, .data.u64 = (uint64_t)i + 1};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
    }
    long long bytes = 0;
    int first = 0, closed = 0, announced = 0;
    static char buffer[1 << 16];
    struct epoll_event events[256];
    for (;;) {
        int k = epoll_wait(ep, events, 256, 60000);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) { fprintf(stderr, "subscribers: nothing for 60 s\n"); return 1; }
        for (int j = 0; j < k; j++) {
            if (events[j].data.u64 == 0) {
                printf("%lld %d\n", bytes, closed);
                return 0;
            }
            int i = (int)events[j].data.u64 - 1;
            ssize_t got = read(fds[i], buffer, sizeof buffer);
            if (got <= 0) {
                epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
                closed++;
                continue;
            }
            bytes += got;
            if (!answered[i]) { answered[i] = 1; first++; }
        }
        if (!announced && first == n) {
            announced = 1;
            printf("connected\n");
            fflush(stdout);
        }
    }
}
