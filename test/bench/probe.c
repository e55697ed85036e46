// Sends `GET /health` to 127.0.0.1:PORT every PERIOD_MS on one keep-alive
// connection and times each one, send to full reply: how long any client
// waits while the server's loop does something else. A reply slower than the
// period delays the next send; a closed connection is opened again.
//
// The run is cut into steps by lines on stdin, `NAME [PORT]`: each line ends
// the current step and starts NAME (a PORT moves the probe to a new server).
// A step keeps every request answered while it ran, and the one in flight
// when it ended (so a stall is counted in the step that caused it). For each
// finished step it prints `NAME worst_ms p99_ms count failed` (`-` for no
// reply); failed counts requests that got no reply (refused, closed). The
// first step is named `-`. A line `end` finishes the last step and exits, as
// stdin's end does (which a process that inherited the FIFO can put off).
//   probe PORT PERIOD_MS
#define _GNU_SOURCE  // memmem
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr;
static int fd = -1;
static char name[256] = "-", next_name[256];
static double *waits;
static int count, capacity, failed;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void finish_step(void) {
    if (count == 0) {
        printf("%s - - 0 %d\n", name, failed);
    } else {
        qsort(waits, count, sizeof *waits, by_value);
        int p99 = (int)(0.99 * count + 0.999999) - 1;  // the nearest rank
        printf("%s %.3f %.3f %d %d\n", name, waits[count - 1] * 1000, waits[p99] * 1000, count, failed);
    }
    fflush(stdout);
    count = failed = 0;
}

static void record(double wait) {
    if (count == capacity) {
        capacity = capacity ? 2 * capacity : 4096;
        waits = realloc(waits, capacity * sizeof *waits);
        if (!waits) { perror("realloc"); exit(1); }
    }
    waits[count++] = wait;
}

static void disconnect(void) {
    if (fd >= 0) close(fd);
    fd = -1;
}

// The length of the full reply in buffer, or 0 while it is incomplete.
static size_t reply_length(const char *buffer, size_t length) {
    const char *end = memmem(buffer, length, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t body = 0;
    for (const char *line = buffer; line < end; line = (const char *)memmem(line, end + 2 - line, "\r\n", 2) + 2)
        if (!strncasecmp(line, "Content-Length:", 15)) body = strtoul(line + 15, NULL, 10);
    size_t total = (size_t)(end + 4 - buffer) + body;
    return length >= total ? total : 0;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: probe PORT PERIOD_MS\n"); return 2; }
    signal(SIGPIPE, SIG_IGN);  // a server that goes away is a failed request
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(argv[1]));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    double period = atof(argv[2]) / 1000;
    static const char request[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    static char reply[1 << 16];
    size_t got = 0;
    int in_flight = 0, switching = 0, input_open = 1, moved = 0;
    double sent = 0, next_send = now();

    for (;;) {
        if (switching && !in_flight) {
            finish_step();
            if (!input_open) return 0;
            snprintf(name, sizeof name, "%s", next_name);
            switching = 0;
        }
        if (moved && !in_flight) disconnect(), moved = 0;
        if (!in_flight && now() >= next_send) {
            sent = now();
            next_send = sent + period;
            if (fd < 0) {
                fd = socket(AF_INET, SOCK_STREAM, 0);
                if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr)) { failed++; disconnect(); continue; }
            }
            if (write(fd, request, sizeof request - 1) != (ssize_t)(sizeof request - 1)) { failed++; disconnect(); continue; }
            in_flight = 1, got = 0;
        }
        struct pollfd polled[2] = {{.fd = input_open && !switching ? 0 : -1, .events = POLLIN},
                                   {.fd = in_flight ? fd : -1, .events = POLLIN}};
        int timeout = in_flight ? -1 : (int)((next_send - now()) * 1000) + 1;
        if (poll(polled, 2, timeout) < 0 && errno != EINTR) { perror("poll"); return 1; }

        if (polled[0].revents) {
            char line[300];
            if (!fgets(line, sizeof line, stdin)) {
                input_open = 0, switching = 1;
            } else {
                int port = 0;
                if (sscanf(line, "%255s %d", next_name, &port) < 1) continue;
                if (!strcmp(next_name, "end")) input_open = 0;
                if (port > 0) {
                    addr.sin_port = htons(port);
                    moved = 1;  // the connection goes once no request is in flight
                }
                switching = 1;
            }
        }
        if (polled[1].revents) {
            ssize_t r = read(fd, reply + got, sizeof reply - got);
            if (r <= 0) {
                failed++, in_flight = 0;
                disconnect();
                continue;
            }
            got += r;
            size_t length = reply_length(reply, got);
            if (length) {
                record(now() - sent);
                in_flight = 0;
                // A closing server (503 at shutdown): open a new connection next time.
                if (memmem(reply, length, "Connection: close", 17) || got > length) disconnect();
            } else if (got == sizeof reply) {
                fprintf(stderr, "probe: a reply larger than %zu bytes\n", sizeof reply);
                return 1;
            }
        }
    }
}
