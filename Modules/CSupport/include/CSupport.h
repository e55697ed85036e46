// C that cannot live in a shim header: code that needs a library's private
// struct layout, or that must run where Swift cannot (a vfork'd child).
// Only Sources/JobSchedSystem imports this module.
#ifndef JOBSCHED_CSUPPORT_H
#define JOBSCHED_CSUPPORT_H

// The minor HTTP version of a request evhttp parsed (0 for HTTP/1.0, 1 for
// HTTP/1.1): libevent 2.1 has no accessor, and the struct that holds it
// would turn every evhttp handle Swift sees from opaque into typed.
int jobsched_evhttp_request_minor_version(void *request);

#endif
