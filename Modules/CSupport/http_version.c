#include <event2/http.h>
#include <event2/http_struct.h>
#include "CSupport.h"

int jobsched_evhttp_request_minor_version(void *request) {
    return ((struct evhttp_request *)request)->minor;
}
