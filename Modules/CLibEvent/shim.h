// The C surface of libevent jobsched uses: the event loop and evhttp.
// Only Sources/JobSchedSystem imports this module.
#include <features.h>  // first: event-config.h defines _GNU_SOURCE, which breaks SwiftGlibc's fd_set
#include <event2/event.h>
#include <event2/http.h>
#include <event2/dns.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
