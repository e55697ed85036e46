// C that cannot live in a shim header: code that needs a library's private
// struct layout, or that must run where Swift cannot (a vfork'd child).
// Only Sources/JobSchedSystem imports this module.
#ifndef JOBSCHED_CSUPPORT_H
#define JOBSCHED_CSUPPORT_H

// The minor HTTP version of a request evhttp parsed (0 for HTTP/1.0, 1 for
// HTTP/1.1): libevent 2.1 has no accessor, and the struct that holds it
// would turn every evhttp handle Swift sees from opaque into typed.
int jobsched_evhttp_request_minor_version(void *request);

// The job spawner. Linux carries the peak memory of the process that execs
// into the new program's ru_maxrss, and a job started by the server itself
// (posix_spawn's vfork shares the server's memory until exec) reported the
// server's peak as its own. The spawner is a process forked at the server's
// start, while the server is small, which lets go of the server's file pages
// it holds; it starts each job with clone(CLONE_VM | CLONE_VFORK |
// CLONE_PARENT), so that the job execs from the spawner's small memory and is
// still the server's child (its SIGCHLD, wait4 status and rusage go to the
// server, as before). It ends with the server (PR_SET_PDEATHSIG) or when the
// socket closes.

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
    JOBSCHED_SPAWN_FAILED_NONE = 0,
    JOBSCHED_SPAWN_FAILED_OUTPUT,     // /dev/null or an output descriptor could not be set up
    JOBSCHED_SPAWN_FAILED_DIRECTORY,  // chdir to the job's working directory
    JOBSCHED_SPAWN_FAILED_EXEC,       // the executable could not be run
    JOBSCHED_SPAWN_FAILED_CLONE,      // no new process
    JOBSCHED_SPAWN_FAILED_REQUEST,    // the request could not be made or was malformed
    JOBSCHED_SPAWN_FAILED_AFFINITY,   // the job could not be pinned to its cpus
    JOBSCHED_SPAWN_FAILED_CGROUP,     // the job could not join its memory cgroup
};

// Forks the spawner; its pid, and the server's end of the socket in
// `server_socket`. -1 if it could not be started. Call it before the
// server has grown: the spawner's memory is a copy of the caller's. It asks
// for scheduling slices of `slice_nanoseconds`.
pid_t jobsched_spawner_start(int *server_socket, uint64_t slice_nanoseconds);

// What the spawner sends back: an answer to each request, in order, once the
// process exists (or could not be made); then, for a process that could not
// exec after all, a late failure, sent before that process may exit.
enum { JOBSCHED_SPAWNER_ANSWER = 1, JOBSCHED_SPAWNER_LATE_FAILURE = 2 };

// Asks the spawner to start `executable` (looked up in PATH unless it holds
// a '/') with argv and envp, in a new process group, stdin from /dev/null,
// stdout/stderr on the given descriptors (-1: /dev/null), none of the
// caller's other descriptors, in `directory` (NULL: the spawner's, which is
// the server's), with default signal handling and an empty mask, and, when
// `cpu_count` > 0, pinned to the cpus `cpu_ids` (its affinity set before the
// exec, so that every process of the job inherits it), and, when
// `cgroup_procs` is not NULL, moved into the cgroup whose cgroup.procs file
// that is (also before the exec). 0, or the errno of a
// request that could not be sent. It waits (1 s at most) only while the
// socket's buffer is full.
int jobsched_spawner_request(int socket, const char *executable, char *const argv[], char *const envp[],
                             const char *directory, int stdout_fd, int stderr_fd, const int *cpu_ids, int cpu_count,
                             const char *cgroup_procs);

// The calling thread's cpu affinity: the cpus it may run on, in `cpu_ids`
// (at most `max`); how many, or -1. And sets it to `cpu_ids`: 0 or an errno.
// A process spawned meanwhile inherits it (the server's own spawns, when the
// spawner is gone).
int jobsched_get_affinity(int *cpu_ids, int max);
int jobsched_set_affinity(const int *cpu_ids, int count);

// Reads the spawner's next message without waiting: 1 and the message, 0 if
// none has come, -1 if the spawner is gone.
int jobsched_spawner_receive(int socket, int32_t *kind, pid_t *pid, int *error, int *stage);

// Asks for scheduling slices of `nanoseconds` for this process only: with
// SCHED_FLAG_RESET_ON_FORK the processes it starts keep the default. The
// slice is what EEVDF (Linux 6.12+) reads from sched_runtime for normal
// tasks; older kernels ignore it. Nice value and policy are kept as they are.
// glibc has no wrapper for sched_setattr. The server asks it for itself, and
// the spawner for itself: each is woken on a job's path.
int jobsched_request_scheduling_slice(uint64_t nanoseconds);

// A process that touches a memory mapping whose file was cut short, or writes
// one whose file can no longer be written (SQLite's shared-memory index
// truncated or made immutable, say), gets SIGBUS, which no check can prevent. This says why on stderr first, then the handler
// installed before (the Swift runtime's crash report) or the default ends
// the process as it would have.
void jobsched_explain_bus_errors(const char *message);

// TLS (tls.c), with OpenSSL and libevent's OpenSSL bufferevents. What fails
// says why in `error` (one line, naming the file where there is one).
struct ssl_ctx_st;
struct ssl_st;
struct bufferevent;
struct event_base;

// The server's context: the certificate chain and key (PEM), checked to
// match; TLS 1.2 and 1.3 with the system's cipher policy; ALPN http/1.1.
struct ssl_ctx_st *jobsched_tls_server_context(const char *cert_path, const char *key_path, char *error, size_t error_size);
void jobsched_tls_context_free(struct ssl_ctx_st *context);
// A bufferevent that accepts a TLS connection (evhttp gives it the socket),
// a client's close without close_notify not counted as an error.
struct bufferevent *jobsched_tls_accepting_bufferevent(struct event_base *base, struct ssl_ctx_st *context);
// Whether the connection's handshake has finished.
int jobsched_tls_handshake_done(struct bufferevent *bev);
// Makes a P-256 key (mode 0600) and a self-signed certificate for it, valid
// for `days`, with `alt_names` as subjectAltName ("IP:127.0.0.1,DNS:localhost").
int jobsched_tls_make_self_signed(const char *cert_path, const char *key_path, const char *common_name,
                                  const char *alt_names, int days, char *error, size_t error_size);
// The SHA-256 fingerprint of the (first) certificate in a PEM file, as 64 lowercase hex digits.
int jobsched_tls_certificate_fingerprint(const char *cert_path, char hex[65], char *error, size_t error_size);
// The client's handshake on a connected blocking socket: verifying the
// server's certificate (by `ca_file`, NULL: the system's, and `host`) when
// `verify`, else taking any (the caller compares the fingerprint). The
// connection, and the server certificate's fingerprint; NULL on failure.
struct ssl_st *jobsched_tls_connect(int fd, const char *host, int host_is_address, const char *ca_file, int verify,
                                    char peer_fingerprint[65], char *error, size_t error_size);
// Reads or writes through the client's connection: the bytes moved, 0 at the
// end (the server closed), -1 when the socket's timeout ran out, -2 on a
// failure (said in `error`). Bytes already decrypted (`pending`) are not in
// the socket for poll to see. `free` ends it without close_notify.
int jobsched_tls_read(struct ssl_st *ssl, void *buffer, int count, char *error, size_t error_size);
int jobsched_tls_write(struct ssl_st *ssl, const void *buffer, int count, char *error, size_t error_size);
int jobsched_tls_pending(struct ssl_st *ssl);
void jobsched_tls_free(struct ssl_st *ssl);

// Webhooks: outbound TLS (tls.c), the signature (hmac.c). The context
// outbound connections share: TLS 1.2+, the receiver's certificate checked
// against the system's authorities (or SSL_CERT_FILE's); NULL on failure,
// said in `error`.
struct ssl_ctx_st *jobsched_tls_client_context(char *error, size_t error_size);
// A bufferevent that connects over TLS (evhttp's connection gives it the
// socket), sending `host` as SNI unless it is an address, and checking the
// certificate names it. NULL on failure.
struct bufferevent *jobsched_tls_connecting_bufferevent(struct event_base *base, struct ssl_ctx_st *context,
                                                        const char *host, int host_is_address);
// Why a TLS connection failed, one line ("" if it was not TLS's doing).
void jobsched_tls_bufferevent_error(struct bufferevent *bev, char *error, size_t error_size);
// HMAC-SHA256 of `data` with `key`.
void jobsched_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char digest[32]);

#endif
