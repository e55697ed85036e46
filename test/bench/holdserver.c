// Baseline: a bare single-threaded evhttp server that holds every request
// until GET /release, then answers them all. /health answers at once.
// Prints "listening on http://127.0.0.1:PORT" like jobsched; /shutdown exits.
//   holdserver
#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/buffer.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct evhttp_request **held;
static size_t count, capacity;
static struct event_base *base;

static void reply(struct evhttp_request *req, const char *text) {
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, text, strlen(text));
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain; charset=utf-8");
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
}

static void handle(struct evhttp_request *req, void *arg) {
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    if (!strcmp(path, "/health")) { reply(req, "ok\n"); return; }
    if (!strcmp(path, "/shutdown")) {
        struct timeval flush = {0, 100000};
        reply(req, "bye\n");
        event_base_loopexit(base, &flush);
        return;
    }
    if (!strcmp(path, "/release")) {
        for (size_t i = 0; i < count; i++) reply(held[i], "job 1 success returncode=0\n");
        count = 0;
        reply(req, "released\n");
        return;
    }
    if (count == capacity) held = realloc(held, (capacity = capacity ? capacity * 2 : 1024) * sizeof *held);
    held[count++] = req;
}

int main(void) {
    base = event_base_new();
    struct evhttp *http = evhttp_new(base);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    struct evconnlistener *l = evconnlistener_new_bind(base, NULL, NULL, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE,
                                                       1024, (struct sockaddr *)&a, sizeof a);
    if (!l) { perror("bind"); return 1; }
    evhttp_bind_listener(http, l);
    evhttp_set_gencb(http, handle, NULL);
    socklen_t len = sizeof a;
    getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&a, &len);
    printf("listening on http://127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    event_base_dispatch(base);
    return 0;
}
