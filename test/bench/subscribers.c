// Holds N `GET PATH` streams (/events) to 127.0.0.1:PORT, each on its own
// connection, and reads everything they send, as N live clients would. Prints
// "connected" once every stream has sent its first bytes, then reads on. A
// line `count` on stdin prints: bytes received, streams the server closed;
// any other line (or stdin's end) prints the same and exits.
//   subscribers [-n] [-H HEADER] PORT N PATH
// -H adds a request header (`Last-Event-ID: 42`). -n: clients that never
// read: "connected" once every request is sent, and only the server closing
// a stream is watched (its bytes are left unread, so bytes stays 0).
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
    int never_read = 0, option;
    const char *header = NULL;
    while ((option = getopt(argc, argv, "nH:")) != -1) {
        if (option == 'n') never_read = 1;
        else if (option == 'H') header = optarg;
        else return 2;
    }
    if (argc - optind != 3) { fprintf(stderr, "usage: subscribers [-n] [-H HEADER] PORT N PATH\n"); return 2; }
    argv += optind - 1;
    int n = atoi(argv[2]);
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    char request[4096];
    int length = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s\r\n",
                          argv[3], header ? header : "", header ? "\r\n" : "");
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
        // A stream never read is watched only for the server's end of it.
        struct epoll_event e = {.events = never_read ? EPOLLRDHUP : EPOLLIN, .data.u64 = (uint64_t)i + 1};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
    }
    long long bytes = 0;
    int first = never_read ? n : 0, closed = 0, announced = 0;
    static char buffer[1 << 16];
    struct epoll_event events[256];
    for (;;) {
        if (!announced && first == n) {
            announced = 1;
            printf("connected\n");
            fflush(stdout);
        }
        int k = epoll_wait(ep, events, 256, never_read ? -1 : 60000);  // a non-reader may hear nothing
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) { fprintf(stderr, "subscribers: nothing for 60 s\n"); return 1; }
        for (int j = 0; j < k; j++) {
            if (events[j].data.u64 == 0) {
                char line[64];
                int more = fgets(line, sizeof line, stdin) && !strcmp(line, "count\n");
                printf("%lld %d\n", bytes, closed);
                fflush(stdout);
                if (more) continue;
                return 0;
            }
            int i = (int)events[j].data.u64 - 1;
            ssize_t got = never_read ? 0 : read(fds[i], buffer, sizeof buffer);
            if (got <= 0) {
                epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
                closed++;
                continue;
            }
            bytes += got;
            if (!answered[i]) { answered[i] = 1; first++; }
        }
    }
}
