#define _GNU_SOURCE
// Sends the raw HTTP request in FILE N times, one after the other, on one
// keep-alive connection to 127.0.0.1:PORT, reading each whole reply
// (Content-Length or chunked), pausing PAUSE_US microseconds between two.
// Prints: median ms, mean ms, replies not 200, 99th percentile ms.
//   httpseq PORT N FILE [PAUSE_US]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];
static size_t have;
static int fd;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void fill(void) {
    if (have == sizeof buf) { fprintf(stderr, "reply too large\n"); exit(1); }
    ssize_t r = read(fd, buf + have, sizeof buf - have);
    if (r <= 0) { fprintf(stderr, "connection closed\n"); exit(1); }
    have += r;
}

static void consume(size_t n) {
    memmove(buf, buf + n, have - n);
    have -= n;
}

// Index just past the first CRLF in buf, reading more until there is one.
static size_t line_end(void) {
    for (;;) {
        for (size_t i = 0; i + 1 < have; i++)
            if (buf[i] == '\r' && buf[i + 1] == '\n') return i + 2;
        fill();
    }
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

// Reads one reply; returns its status.
static int read_reply(void) {
    char *end;
    while (!(end = memmem(buf, have, "\r\n\r\n", 4))) fill();
    size_t head = end - buf + 4;
    int status = atoi(buf + 9);
    long length = -1;
    int chunked = 0;
    for (char *p = buf; p < end; p = strstr(p, "\r\n") + 2) {
        if (!strncasecmp(p, "Content-Length:", 15)) length = atol(p + 15);
        if (!strncasecmp(p, "Transfer-Encoding: chunked", 26)) chunked = 1;
    }
    consume(head);
    if (!chunked) {
        while ((long)have < length) fill();
        consume(length < 0 ? 0 : length);
        return status;
    }
    for (;;) {
        size_t n = line_end();
        long size = strtol(buf, NULL, 16);
        consume(n);
        while (have < (size_t)size + 2) fill();
        consume(size + 2);
        if (size == 0) return status;
    }
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) { fprintf(stderr, "usage: httpseq PORT N FILE [PAUSE_US]\n"); return 2; }
    int n = atoi(argv[2]);
    int pause_us = argc == 5 ? atoi(argv[4]) : 0;
    FILE *f = fopen(argv[3], "rb");
    if (!f) { perror(argv[3]); return 1; }
    static char request[1 << 16];
    size_t length = fread(request, 1, sizeof request, f);
    fclose(f);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
    double *ms = calloc(n, sizeof *ms), sum = 0;
    int bad = 0;
    for (int i = 0; i < n; i++) {
        double t = now();
        if (write(fd, request, length) != (ssize_t)length) { perror("write"); return 1; }
        if (read_reply() != 200) bad++;
        ms[i] = (now() - t) * 1000;
        sum += ms[i];
        if (pause_us) usleep(pause_us);
    }
    qsort(ms, n, sizeof *ms, cmp);
    printf("%.4f %.4f %d %.4f\n", ms[n / 2], sum / n, bad, ms[(n * 99) / 100]);
    return bad ? 1 : 0;
}
