import CLibEvent
import CSupport
import Glibc
import JobSchedModel

/// One HTTP request from evhttp, and the reply to it.
///
/// A request is answered exactly once: with `respond`, or with a stream
/// (`startStream`, `send`, `endStream`). Until then it may be held for as long
/// as needed (a `/wait`), with `watchForDisconnect` telling when the client leaves.
package final class HTTPRequest {
    package enum Method { case get, post, head, other }

    private let raw: OpaquePointer
    let loop: EventLoop
    private let connections: ConnectionTracker
    private let date: ReplyDate
    package let method: Method
    /// The decoded path, such as `/submit`.
    package let path: String
    /// The raw (still percent-encoded) query string, if any.
    package let query: String?
    package let body: [UInt8]
    /// The host the request is for: the authority of an absolute-form target
    /// (`GET http://host:port/path`, RFC 9112 3.2.2), else the `Host` header.
    package let host: String?
    /// Why the request's framing is unsafe to go on from (see `RequestFraming`), or nil.
    /// The reply to such a request closes the connection.
    package let framingProblem: RequestError?
    /// False once answered or once the client has gone; the request must not be used then.
    package private(set) var isOpen = true
    /// A bare libevent event (not an `Event` and its closures): thousands of
    /// requests may be held, each watched (`watchForDisconnect`).
    private var disconnectWatch: OpaquePointer?
    private var onClientGone: (() -> Void)?
    private var onDrained: (() -> Void)?
    /// Whether the stream's reply is chunked (HTTP/1.1), so `SharedBytes` go framed.
    private var isChunked = false
    /// Told the status code once it is decided (a reply or the start of a stream).
    package var onStatus: ((Int32) -> Void)?

    package init(raw: OpaquePointer, loop: EventLoop, connections: ConnectionTracker, date: ReplyDate) {
        self.raw = raw
        self.loop = loop
        self.connections = connections
        self.date = date
        switch evhttp_request_get_command(raw) {
        case EVHTTP_REQ_POST: method = .post
        case EVHTTP_REQ_GET: method = .get
        case EVHTTP_REQ_HEAD: method = .head
        default: method = .other
        }
        let uri = evhttp_request_get_evhttp_uri(raw)
        let rawPath = evhttp_uri_get_path(uri).map { String(cString: $0) } ?? "/"
        path = HTTPRequest.decodePath(rawPath)
        query = evhttp_uri_get_query(uri).map { String(cString: $0) }
        let command = evhttp_request_get_command(raw)
        var framing = RequestFraming(methodHasBody: command == EVHTTP_REQ_POST || command == EVHTTP_REQ_PUT
                                         || command == EVHTTP_REQ_PATCH,
                                     isHTTP10: jobsched_evhttp_request_minor_version(UnsafeMutableRawPointer(raw)) == 0)
        var hostHeader: String?
        // One walk over the headers, comparing names in place: it is on every request's path.
        var entry = evhttp_request_get_input_headers(raw).pointee.tqh_first
        while let header = entry {
            let name = header.pointee.key!
            if strcasecmp(name, "Host") == 0 {
                framing.hostCount += 1
                hostHeader = String(cString: header.pointee.value)
            } else if strcasecmp(name, "Content-Length") == 0 {
                framing.contentLengths.append(String(cString: header.pointee.value))
            } else if strcasecmp(name, "Transfer-Encoding") == 0 {
                framing.transferEncodings.append(String(cString: header.pointee.value))
            }
            entry = header.pointee.next.tqe_next
        }
        framingProblem = framing.problem
        host = HTTPRequest.authority(of: uri) ?? hostHeader
        let input = evhttp_request_get_input_buffer(raw)
        let length = evbuffer_get_length(input)
        body = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            count = length == 0 ? 0 : Int(evbuffer_copyout(input, buffer.baseAddress, length))
        }
    }

    package func header(_ name: String) -> String? {
        evhttp_find_header(evhttp_request_get_input_headers(raw), name).map { String(cString: $0) }
    }

    /// Adds a header to the reply; before `respond` or `startStream`.
    package func addReplyHeader(_ name: String, _ value: String) {
        evhttp_add_header(evhttp_request_get_output_headers(raw), name, value)
    }

    // MARK: One-shot replies

    package func respond(status: Int32, body: String, contentType: String = "text/plain; charset=utf-8") {
        var text = body
        text.withUTF8 { respond(status: status, bytes: UnsafeRawBufferPointer($0), contentType: contentType) }
    }

    package func respond(status: Int32, bytes: UnsafeRawBufferPointer, contentType: String = "text/plain; charset=utf-8") {
        guard isOpen else { return }
        stopWatchingForDisconnect()
        setReplyHeaders(contentType: contentType)
        let headers = evhttp_request_get_output_headers(raw)
        if status == 405 { evhttp_add_header(headers, "Allow", "GET, POST, HEAD") }
        if status == 401 { evhttp_add_header(headers, "WWW-Authenticate", "Bearer") }
        if framingProblem != nil { evhttp_add_header(headers, "Connection", "close") }
        let closing = framingProblem != nil || header("Connection").map { $0.lowercased() == "close" } ?? false
        let connection = evhttp_request_get_connection(raw)
        let buffer = evbuffer_new()
        defer { evbuffer_free(buffer) }
        if method == .head {
            // The GET reply's headers and no content (evhttp would send the content).
            evhttp_add_header(headers, "Content-Length", String(bytes.count))
        } else {
            evbuffer_add(buffer, bytes.baseAddress, bytes.count)
        }
        evhttp_send_reply(raw, status, HTTPRequest.reason(for: status), buffer)
        // Nothing the client sends after a reply that closes the connection is read.
        if closing, let connection { bufferevent_disable(evhttp_connection_get_bufferevent(connection), Int16(EV_READ)) }
        isOpen = false
        onStatus?(status)
    }

    /// Calls `handler` once if the client disconnects while the request is held.
    ///
    /// evhttp stops reading a connection while its request is being handled, so
    /// it would never notice; a read event of our own peeks at the socket.
    package func watchForDisconnect(_ handler: @escaping () -> Void) {
        guard isOpen, disconnectWatch == nil,
              let connection = evhttp_request_get_connection(raw) else { return }
        let fd = bufferevent_getfd(evhttp_connection_get_bufferevent(connection))
        onClientGone = handler
        disconnectWatch = event_new(loop.base, fd, Int16(EV_READ | EV_PERSIST), { fd, _, arg in
            let request = Unmanaged<HTTPRequest>.fromOpaque(arg!).takeUnretainedValue()
            withExtendedLifetime(request) { request.peekForDisconnect(fd: fd) }
        }, Unmanaged.passUnretained(self).toOpaque())
        event_add(disconnectWatch, nil)
    }

    deinit { stopWatchingForDisconnect() }

    private func peekForDisconnect(fd: Int32) {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
        stopWatchingForDisconnect()
        // More data (a pipelined request) is not a disconnect; stop peeking so
        // the level-triggered event does not spin.
        guard n <= 0 else { return }
        isOpen = false
        let handler = onClientGone
        onClientGone = nil
        // Frees the connection and the request it holds.
        evhttp_connection_free(evhttp_request_get_connection(raw))
        handler?()
    }

    /// Safe from inside the watch's own callback (libevent copies what it calls first).
    private func stopWatchingForDisconnect() {
        guard let watch = disconnectWatch else { return }
        event_free(watch)
        disconnectWatch = nil
    }

    // MARK: Streamed replies

    /// Starts a chunked reply; `onClientGone` is called once if the client leaves before `endStream`.
    package func startStream(status: Int32 = 200, contentType: String = "text/plain; charset=utf-8",
                             onClientGone: @escaping () -> Void) {
        guard isOpen else { return }
        stopWatchingForDisconnect()
        self.onClientGone = onClientGone
        setReplyHeaders(contentType: contentType)
        evhttp_send_reply_start(raw, status, HTTPRequest.reason(for: status))
        // evhttp chunks the replies to HTTP/1.1 requests, and says so in a header.
        isChunked = evhttp_find_header(evhttp_request_get_output_headers(raw), "Transfer-Encoding")
            .map { String(cString: $0) == "chunked" } ?? false
        onStatus?(status)
        guard let connection = evhttp_request_get_connection(raw) else { return }
        // Without it, each small chunk after the first waits for the client's
        // delayed ACK (Nagle's algorithm): 40 ms per reply on Linux.
        sendWithoutDelay(bufferevent_getfd(evhttp_connection_get_bufferevent(connection)))
        // A silent job must not look like an idle client.
        evhttp_connection_set_timeout(connection, Int32.max / 2)
        connections.setCloseHandler(connection) { [weak self] in self?.streamClosedByClient() }
    }

    /// The kernel's send buffer of an `/events` stream's socket (Linux doubles it).
    package static let streamSocketBufferBytes = 128 * 1024

    /// Keeps the kernel's buffer of this stream's socket to about `bytes`: a
    /// client that does not read then costs a copy of that much, not of the
    /// megabytes Linux lets a socket's buffer grow to (a thousand such clients
    /// took a copy of megabytes each); the rest waits in the output buffer,
    /// where shared bytes are not copied and lag is seen.
    package func limitSocketBuffer(to bytes: Int = HTTPRequest.streamSocketBufferBytes) {
        guard isOpen, let connection = evhttp_request_get_connection(raw) else { return }
        var size = Int32(bytes)
        setsockopt(bufferevent_getfd(evhttp_connection_get_bufferevent(connection)), SOL_SOCKET, SO_SNDBUF,
                   &size, socklen_t(MemoryLayout<Int32>.size))
    }

    private func streamClosedByClient() {
        guard isOpen else { return }
        isOpen = false
        // evhttp has detached the request from its dying connection; ending it frees it.
        evhttp_send_reply_end(raw)
        let handler = onClientGone
        onClientGone = nil
        onDrained = nil
        handler?()
    }

    /// Bytes handed to the connection but not yet written to the socket.
    package var unsentBytes: Int {
        guard isOpen, let connection = evhttp_request_get_connection(raw) else { return 0 }
        return evbuffer_get_length(bufferevent_get_output(evhttp_connection_get_bufferevent(connection)))
    }

    /// Sends one chunk; `whenFlushed` runs once the connection's output buffer has drained.
    package func send(_ bytes: UnsafeRawBufferPointer, whenFlushed: (() -> Void)? = nil) {
        guard isOpen, !bytes.isEmpty else { return }
        let buffer = evbuffer_new()
        defer { evbuffer_free(buffer) }
        evbuffer_add(buffer, bytes.baseAddress, bytes.count)
        onDrained = whenFlushed
        evhttp_send_reply_chunk_with_cb(raw, buffer, { _, arg in
            let request = Unmanaged<HTTPRequest>.fromOpaque(arg!).takeUnretainedValue()
            let drained = request.onDrained
            request.onDrained = nil
            drained?()
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Sends one chunk that refers to `shared` instead of copying it, straight
    /// into the connection's output (already framed, when the reply is chunked).
    package func send(_ shared: SharedBytes) {
        guard isOpen, shared.count > 0, let connection = evhttp_request_get_connection(raw) else { return }
        let bytes = shared.bytes(chunked: isChunked)
        // The buffer keeps `shared` alive until libevent has written it out (or dropped it).
        evbuffer_add_reference(bufferevent_get_output(evhttp_connection_get_bufferevent(connection)),
                               bytes.baseAddress, bytes.count, { _, _, box in
            Unmanaged<SharedBytes>.fromOpaque(box!).release()
        }, Unmanaged.passRetained(shared).toOpaque())
    }

    package func send(_ text: String) {
        send(text, whenFlushed: nil)
    }

    package func send(_ text: String, whenFlushed: (() -> Void)?) {
        var text = text
        text.withUTF8 { send(UnsafeRawBufferPointer($0), whenFlushed: whenFlushed) }
    }

    package func endStream() {
        guard isOpen else { return }
        isOpen = false
        onClientGone = nil
        onDrained = nil
        if let connection = evhttp_request_get_connection(raw) {
            // The close callback belongs to the connection, which may outlive this request.
            connections.setCloseHandler(connection, nil)
            evhttp_connection_set_timeout(connection, HTTPServer.idleTimeoutSeconds)
        }
        evhttp_send_reply_end(raw)
    }

    /// Closes the connection at once, with whatever it had not sent yet: for
    /// a client that reads too slowly to be worth its buffer.
    package func closeConnection() {
        guard isOpen else { return }
        isOpen = false
        onClientGone = nil
        onDrained = nil
        stopWatchingForDisconnect()
        guard let connection = evhttp_request_get_connection(raw) else { return }
        connections.setCloseHandler(connection, nil)
        // Frees the request too.
        evhttp_connection_free(connection)
    }

    // MARK: Helpers

    /// Content-Type, and the Date that evhttp would otherwise format itself.
    private func setReplyHeaders(contentType: String) {
        let headers = evhttp_request_get_output_headers(raw)
        evhttp_remove_header(headers, "Content-Type")
        evhttp_add_header(headers, "Content-Type", contentType)
        evhttp_add_header(headers, "Date", date.current)
    }

    /// Decoded with its length, so that a `%00` stays in (and is refused) instead of cutting the path.
    private static func decodePath(_ path: String) -> String {
        var size = 0
        guard let decoded = evhttp_uridecode(path, 0, &size) else { return path }
        defer { free(decoded) }
        return String(decoding: UnsafeRawBufferPointer(start: decoded, count: size), as: UTF8.self)
    }

    /// `host[:port]` of an absolute-form target, IPv6 in brackets; nil for an origin-form one.
    private static func authority(of uri: OpaquePointer?) -> String? {
        guard let cHost = evhttp_uri_get_host(uri) else { return nil }
        var host = String(cString: cHost)
        if host.contains(":") && !host.hasPrefix("[") { host = "[" + host + "]" }
        let port = evhttp_uri_get_port(uri)
        return port >= 0 ? host + ":" + String(port) : host
    }

    package static func reason(for status: Int32) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 413: return "Payload Too Large"
        case 415: return "Unsupported Media Type"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        default: return "Status \(status)"
        }
    }
}
