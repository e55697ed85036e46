import CLibEvent
import Glibc
import JobSchedModel

/// evhttp on a TCP socket (plain, or TLS), a Unix domain socket (plain: its
/// file's permissions guard it), or both: hands every request to `handler`.
///
/// evhttp makes each connection's bufferevent through one callback for all
/// its listeners, so a TLS port and the Unix socket each have an evhttp of
/// their own, sharing the handler and the connection count.
package final class HTTPServer {
    /// One evhttp for the TCP port, and one for the Unix socket when their connections differ (TLS).
    private var evhttps: [OpaquePointer] = []
    /// What each evhttp's new connections are made with (its callback's argument).
    private var connectionMakers: [ConnectionMaker] = []
    private var listeners: [OpaquePointer] = []
    private var unixSocket: UnixSocket?
    private let loop: EventLoop
    private let connections: ConnectionTracker
    /// The Date header of every reply, formatted once a second.
    private let replyDate = ReplyDate()
    private var isAccepting = true
    /// The TCP address bound: `host` numeric without brackets (`127.0.0.1`, `::1`),
    /// `hostAndPort` for URLs (IPv6 in brackets); nil without TCP.
    package private(set) var tcpAddress: (host: String, hostAndPort: String)?
    package var socketPath: String? { unixSocket?.path }
    package var handler: (HTTPRequest) -> Void = { $0.respond(status: 500, body: "not ready\n") }

    /// Idle keep-alive connections close after this; held requests are not affected.
    package static let idleTimeoutSeconds: Int32 = 60
    package static let maxHeaderBytes = 64 * 1024
    package static let maxBodyBytes = 64 * 1024 * 1024
    package static let backlog: Int32 = 1024
    private static let listenerFlags = UInt32(LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_CLOSE_ON_FREE)

    /// Whether the TCP port speaks TLS.
    package let isTLS: Bool

    /// Listens on `address:port` unless `tcp` is false (with TLS when `tls`
    /// is given), and on `socketPath` if given.
    package init(loop: EventLoop, address: String, port: UInt16, tcp: Bool = true, tls: TLSServerContext? = nil,
                 socketPath: String? = nil, maxConnections: Int = 4096) throws(ServerError) {
        self.loop = loop
        isTLS = tcp && tls != nil
        // Room for the largest request evhttp accepts, and a read beyond it.
        connections = ConnectionTracker(loop: loop, limit: maxConnections, headLimit: HTTPServer.maxHeaderBytes,
                                        inputLimit: HTTPServer.maxHeaderBytes + HTTPServer.maxBodyBytes + 64 * 1024)
        if tcp {
            let http = try makeHTTP(tls: tls)
            let listener = try HTTPServer.tcpListener(loop: loop, address: address, port: port)
            serve(listener, on: http)
            tcpAddress = HTTPServer.describeLocalAddress(of: evconnlistener_get_fd(listener))
        }
        if let socketPath {
            let http = tls == nil && !evhttps.isEmpty ? evhttps[0] : try makeHTTP(tls: nil)
            let socket = try UnixSocket(path: socketPath, backlog: HTTPServer.backlog)
            unixSocket = socket
            guard let listener = evconnlistener_new(loop.base, nil, nil, HTTPServer.listenerFlags, -1, socket.fd) else {
                throw ServerError("cannot listen on \(socketPath): \(errnoText())")
            }
            serve(listener, on: http)
        }
        // At the bound, new clients wait in the backlog until a connection closes.
        connections.onLimit = { [unowned self] atLimit in
            guard self.isAccepting else { return }
            for listener in self.listeners {
                if atLimit { evconnlistener_disable(listener) } else { evconnlistener_enable(listener) }
            }
        }
    }

    /// An evhttp whose connections are made with `tls` (nil: plain).
    private func makeHTTP(tls: TLSServerContext?) throws(ServerError) -> OpaquePointer {
        guard let http = evhttp_new(loop.base) else { throw ServerError("cannot create the HTTP server") }
        evhttps.append(http)
        evhttp_set_timeout(http, HTTPServer.idleTimeoutSeconds)
        evhttp_set_max_headers_size(http, HTTPServer.maxHeaderBytes)
        evhttp_set_max_body_size(http, HTTPServer.maxBodyBytes)
        // Every method reaches the handler, which answers 405 (evhttp itself would say 501).
        evhttp_set_allowed_methods(http, UInt16.max)
        evhttp_set_gencb(http, { req, arg in
            let server = Unmanaged<HTTPServer>.fromOpaque(arg!).takeUnretainedValue()
            server.connections.requestReceived(req!)
            server.handler(HTTPRequest(raw: req!, loop: server.loop, connections: server.connections, date: server.replyDate))
        }, Unmanaged.passUnretained(self).toOpaque())
        let maker = ConnectionMaker(connections: connections, tls: tls)
        connectionMakers.append(maker)
        evhttp_set_bevcb(http, { base, arg in
            let maker = Unmanaged<ConnectionMaker>.fromOpaque(arg!).takeUnretainedValue()
            return maker.connections.newConnection(base: base!, tls: maker.tls)
        }, Unmanaged.passUnretained(maker).toOpaque())
        return http
    }

    private static func tcpListener(loop: EventLoop, address: String, port: UInt16) throws(ServerError) -> OpaquePointer {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(address, String(port), &hints, &results)
        guard rc == 0, let first = results else {
            throw ServerError("cannot resolve address '\(address)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(results) }
        guard let listener = evconnlistener_new_bind(loop.base, nil, nil, listenerFlags | UInt32(LEV_OPT_REUSEABLE), backlog,
                                                     first.pointee.ai_addr, Int32(first.pointee.ai_addrlen)) else {
            throw ServerError("cannot listen on \(address):\(port): \(errnoText())")
        }
        return listener
    }

    /// Hands a listener's connections to evhttp, which frees it with itself.
    private func serve(_ listener: OpaquePointer, on http: OpaquePointer) {
        evhttp_bind_listener(http, listener)
        listeners.append(listener)
        // Out of descriptors: accept fails at once and would spin; pause for a second.
        // (The callback's argument is evhttp's, so the listener is all it can use.)
        evconnlistener_set_error_cb(listener) { listener, _ in
            evconnlistener_disable(listener)
            var retry = timeval(tv_sec: 1, tv_usec: 0)
            event_base_once(evconnlistener_get_base(listener), -1, Int16(EV_TIMEOUT), { _, _, arg in
                evconnlistener_enable(OpaquePointer(arg))
            }, UnsafeMutableRawPointer(listener), &retry)
        }
    }

    deinit {
        evhttps.forEach { evhttp_free($0) }
        unixSocket?.removeFile()
    }

    /// Removes the Unix socket file (at exit); connections already open stay.
    package func removeSocketFile() { unixSocket?.removeFile() }

    /// Bytes of replies not yet written to their sockets.
    package var unsentBytes: Int { connections.unsentBytes }

    /// Refuses new connections from now on; connections already open stay.
    package func stopAccepting() {
        isAccepting = false
        for listener in listeners {
            evconnlistener_disable(listener)
            // A disabled listener still completes handshakes into its backlog;
            // shutting the socket down makes the kernel refuse them instead.
            Glibc.shutdown(evconnlistener_get_fd(listener), Int32(SHUT_RDWR))
        }
    }

    private static func describeLocalAddress(of fd: Int32) -> (host: String, hostAndPort: String) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                                NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        let hostText = text(ofCString: host)
        return (hostText, (hostText.contains(":") ? "[\(hostText)]" : hostText) + ":" + text(ofCString: service))
    }
}

/// What one evhttp's connections are made with: evhttp's callback gets this
/// as its argument (it is not told which listener accepted).
private final class ConnectionMaker {
    let connections: ConnectionTracker
    let tls: TLSServerContext?

    init(connections: ConnectionTracker, tls: TLSServerContext?) {
        (self.connections, self.tls) = (connections, tls)
    }
}
