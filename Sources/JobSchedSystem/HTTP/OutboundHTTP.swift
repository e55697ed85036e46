import CLibEvent
import CSupport
import Glibc
import JobSchedModel

/// POSTs from the event loop to other HTTP servers (webhook receivers), with
/// libevent's own HTTP client: nothing here waits. A name is looked up with
/// libevent's asynchronous resolver (never a blocking getaddrinfo), every
/// address it gives is checked (`refusal`) before a connection is made to it,
/// and https checks the receiver's certificate against the name. A connection
/// that answered is kept a while for the next POST to the same receiver.
///
/// libevent's callbacks only note what happened; each POST ends in a turn of
/// the loop of its own (`finished`), where its connection may be reused or freed.
package final class OutboundHTTP {
    /// How long a connection nobody uses is kept for the next POST to its receiver.
    static let idleSeconds = 30.0
    /// The most bytes of an answer's head, and of its body, read: a receiver that sends more fails the attempt.
    static let maxAnswerBytes = 1 << 20

    private let loop: EventLoop
    private let dns: OpaquePointer
    /// The TLS context of https connections, made at the first.
    private var tls: OpaquePointer?
    /// Kept connections, by `WebhookURL.receiver`.
    private var idle: [String: [Connection]] = [:]
    /// POSTs under way, by identity: libevent's callbacks hold them unretained.
    private var posts: [ObjectIdentifier: Post] = [:]
    private var closing: [Connection] = []
    private var freeClosed: Event?

    package init(loop: EventLoop) throws(ServerError) {
        self.loop = loop
        // The system's name servers and /etc/hosts, as getaddrinfo would use them.
        guard let dns = evdns_base_new(loop.base, EVDNS_BASE_INITIALIZE_NAMESERVERS) else {
            throw ServerError("cannot start the asynchronous name resolver for webhooks")
        }
        self.dns = dns
    }

    deinit {
        for post in Array(posts.values) { post.cancel() }
        idle.values.joined().forEach { $0.free() }
        closing.forEach { $0.free() }
        evdns_base_free(dns, 1)
        if let tls { jobsched_tls_context_free(tls) }
    }

    /// POSTs `body` to `url`; `done` gets the answer's status, or the error
    /// that kept one from coming within `timeout` seconds. `refusal` says why an
    /// address may not be connected to (nil: it may).
    package func post(to url: WebhookURL, headers: [(String, String)], body: [UInt8], timeout: Double,
                      refusal: @escaping (IPAddress, Int) -> String?, done: @escaping (DeliveryPolicy.Answer) -> Void) {
        let post = Post(owner: self, url: url, headers: headers, body: body, refusal: refusal, done: done)
        posts[ObjectIdentifier(post)] = post
        post.deadline = loop.timer(after: timeout) { [unowned post] in
            post.fail("no answer within \(Timestamp.seconds(timeout)) s", retryable: true)
        }
        if var pool = idle[url.receiver], let connection = pool.popLast() {
            idle[url.receiver] = pool.isEmpty ? nil : pool
            connection.idleTimer = nil
            return post.send(on: connection)
        }
        if let address = IPAddress(literal: url.host) { return post.connect(to: [address]) }
        post.resolve(with: dns)
    }

    /// Ends every POST under way without an answer (a shutdown).
    package func cancelAll() {
        for post in Array(posts.values) { post.cancel() }
    }

    fileprivate func ended(_ post: Post) {
        posts[ObjectIdentifier(post)] = nil
    }

    /// A connection that answered waits for the next POST to its receiver, a while.
    fileprivate func keep(_ connection: Connection) {
        guard !connection.isClosed else { return discard(connection) }
        connection.idleTimer = loop.timer(after: OutboundHTTP.idleSeconds) { [unowned self, unowned connection] in
            idle[connection.receiver]?.removeAll { $0 === connection }
            discard(connection)
        }
        idle[connection.receiver, default: []].append(connection)
    }

    /// Frees a connection in a turn of its own: never inside one of its callbacks.
    fileprivate func discard(_ connection: Connection) {
        connection.idleTimer = nil
        closing.append(connection)
        if freeClosed == nil {
            freeClosed = loop.timer(after: 0) { [unowned self] in
                freeClosed = nil
                let freed = closing
                closing = []
                freed.forEach { $0.free() }
            }
        }
    }

    /// A kept connection the receiver closed: not to be used again.
    fileprivate func closed(_ connection: Connection) {
        guard let pool = idle[connection.receiver], pool.contains(where: { $0 === connection }) else { return }
        idle[connection.receiver] = pool.filter { $0 !== connection }
        discard(connection)
    }

    fileprivate func makeConnection(to address: IPAddress, for url: WebhookURL) -> Result<Connection, ConnectionFailure> {
        var bufferEvent: OpaquePointer?
        if url.scheme == .https {
            if tls == nil {
                var error = [CChar](repeating: 0, count: 512)
                tls = jobsched_tls_client_context(&error, error.count)
                if tls == nil { return .failure(ConnectionFailure(reason: text(ofCString: error))) }
            }
            bufferEvent = jobsched_tls_connecting_bufferevent(loop.base, tls, url.host, IPAddress(literal: url.host) == nil ? 0 : 1)
            if bufferEvent == nil { return .failure(ConnectionFailure(reason: "cannot set up TLS for \(url.host)")) }
        }
        guard let raw = evhttp_connection_base_bufferevent_new(loop.base, nil, bufferEvent, address.description, UInt16(url.port)) else {
            if let bufferEvent { bufferevent_free(bufferEvent) }
            return .failure(ConnectionFailure(reason: "cannot make a connection to \(address)"))
        }
        let seconds = Int32(DeliveryPolicy.attemptTimeout)
        evhttp_connection_set_timeout(raw, seconds)
        evhttp_connection_set_max_headers_size(raw, OutboundHTTP.maxAnswerBytes)
        evhttp_connection_set_max_body_size(raw, OutboundHTTP.maxAnswerBytes)
        let connection = Connection(raw: raw, receiver: url.receiver, isTLS: url.scheme == .https, owner: self)
        evhttp_connection_set_closecb(raw, { _, arg in
            let connection = Unmanaged<Connection>.fromOpaque(arg!).takeUnretainedValue()
            connection.isClosed = true
            connection.owner?.closed(connection)
        }, Unmanaged.passUnretained(connection).toOpaque())
        return .success(connection)
    }

    fileprivate struct ConnectionFailure: Error {
        let reason: String
    }

    /// One connection to a receiver: one POST at a time.
    fileprivate final class Connection {
        let raw: OpaquePointer
        /// `WebhookURL.receiver`: the kept connections' key.
        let receiver: String
        let isTLS: Bool
        weak var owner: OutboundHTTP?
        var isClosed = false
        var idleTimer: Event?

        init(raw: OpaquePointer, receiver: String, isTLS: Bool, owner: OutboundHTTP) {
            (self.raw, self.receiver, self.isTLS, self.owner) = (raw, receiver, isTLS, owner)
        }

        /// Why its TLS failed, when it did.
        var tlsError: String {
            guard isTLS, let bufferEvent = evhttp_connection_get_bufferevent(raw) else { return "" }
            var error = [CChar](repeating: 0, count: 512)
            jobsched_tls_bufferevent_error(bufferEvent, &error, error.count)
            return text(ofCString: error)
        }

        func free() {
            evhttp_connection_set_closecb(raw, nil, nil)
            evhttp_connection_free(raw)
        }
    }

    /// One POST, from the lookup to the answer.
    fileprivate final class Post {
        unowned let owner: OutboundHTTP
        let url: WebhookURL
        let headers: [(String, String)]
        let body: [UInt8]
        let refusal: (IPAddress, Int) -> String?
        let done: (DeliveryPolicy.Answer) -> Void
        var deadline: Event?
        private var lookup: OpaquePointer?
        private var connection: Connection?
        private var request: OpaquePointer?
        /// What libevent said went wrong, before it ended the request.
        private var requestError: evhttp_request_error?
        private var answer: DeliveryPolicy.Answer?
        private var finishing: Event?

        init(owner: OutboundHTTP, url: WebhookURL, headers: [(String, String)], body: [UInt8],
             refusal: @escaping (IPAddress, Int) -> String?, done: @escaping (DeliveryPolicy.Answer) -> Void) {
            (self.owner, self.url, self.headers, self.body, self.refusal, self.done) = (owner, url, headers, body, refusal, done)
        }

        private var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

        func resolve(with dns: OpaquePointer) {
            var hints = addrinfo()  // libevent's evutil_addrinfo is the system's addrinfo
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            // Held by the lookup until its callback, which always comes (a cancel calls it too).
            let retained = Unmanaged.passRetained(self).toOpaque()
            lookup = evdns_getaddrinfo(dns, url.host, nil, &hints, { result, addresses, arg in
                let post = Unmanaged<Post>.fromOpaque(arg!).takeRetainedValue()
                post.lookup = nil
                defer { if let addresses { evutil_freeaddrinfo(addresses) } }
                guard post.answer == nil else { return }
                guard result == 0 else {
                    let reason = result == EVUTIL_EAI_NONAME ? "no such host" : String(cString: evutil_gai_strerror(result))
                    return post.fail("cannot look up \(post.url.host): \(reason)", retryable: true)
                }
                var found: [IPAddress] = []
                var entry = addresses
                while let current = entry {
                    if let address = current.pointee.ai_addr, let ip = IPAddress(UnsafePointer(address)) { found.append(ip) }
                    entry = current.pointee.ai_next
                }
                post.connect(to: found)
            }, retained)
        }

        /// Connects to the first address, once every address is checked: a
        /// name with one address that may not be used is refused whole.
        func connect(to addresses: [IPAddress]) {
            guard let first = addresses.first else { return fail("\(url.host) has no address", retryable: true) }
            if let refused = addresses.lazy.compactMap({ self.refusal($0, self.url.port) }).first {
                return fail("refused: \(url.host == first.description ? "" : "\(url.host) resolves to ")\(refused)", retryable: false)
            }
            switch owner.makeConnection(to: first, for: url) {
            case .success(let made): send(on: made)
            case .failure(let failure): fail(failure.reason, retryable: true)
            }
        }

        func send(on connection: Connection) {
            self.connection = connection
            guard let request = evhttp_request_new({ request, arg in
                let post = Unmanaged<Post>.fromOpaque(arg!).takeUnretainedValue()
                post.request = nil
                if let request, evhttp_request_get_response_code(request) > 0 {
                    post.finish(.status(Int(evhttp_request_get_response_code(request))))
                } else {
                    post.finish(.error(post.describeFailure(), retryable: true))
                }
            }, context) else { return fail("cannot make a request", retryable: true) }
            evhttp_request_set_error_cb(request) { error, arg in
                Unmanaged<Post>.fromOpaque(arg!).takeUnretainedValue().requestError = error
            }
            let output = evhttp_request_get_output_headers(request)
            evhttp_add_header(output, "Host", url.hostHeader)
            for (name, value) in headers { evhttp_add_header(output, name, value) }
            _ = body.withUnsafeBytes { evbuffer_add(evhttp_request_get_output_buffer(request), $0.baseAddress, $0.count) }
            self.request = request
            if evhttp_make_request(connection.raw, request, EVHTTP_REQ_POST, url.target) != 0 {
                // evhttp freed the request.
                self.request = nil
                fail("cannot send the request to \(url.host)", retryable: true)
            }
        }

        private func describeFailure() -> String {
            let tls = connection?.tlsError ?? ""
            let what: String
            switch requestError {
            case EVREQ_HTTP_TIMEOUT: what = "no answer within \(Timestamp.seconds(DeliveryPolicy.attemptTimeout)) s"
            case EVREQ_HTTP_EOF: what = "the connection was refused or closed before an answer"
            case EVREQ_HTTP_INVALID_HEADER: what = "the answer was not HTTP"
            case EVREQ_HTTP_DATA_TOO_LONG: what = "the answer was over \(OutboundHTTP.maxAnswerBytes) bytes"
            // evhttp ends a request whose connection could not be made without an error of its own.
            case nil: what = "could not connect (refused, unreachable, or the TLS handshake failed)"
            default: what = "the connection failed"
            }
            return tls.isEmpty ? "\(url.host) port \(url.port): \(what)" : "\(url.host) port \(url.port): \(tls)"
        }

        func fail(_ reason: String, retryable: Bool) { finish(.error(reason, retryable: retryable)) }

        /// Notes the answer; the rest happens in a turn of its own.
        private func finish(_ answer: DeliveryPolicy.Answer) {
            guard self.answer == nil else { return }
            self.answer = answer
            deadline = nil
            finishing = owner.loop.timer(after: 0) { [unowned self] in finished() }
        }

        private func finished() {
            finishing = nil
            // A request still out (the deadline came first) takes its connection with it.
            let isAnswered = request == nil && answer.map(Post.isStatus) == true
            abandon()
            if let connection { isAnswered ? owner.keep(connection) : owner.discard(connection) }
            owner.ended(self)
            if let answer { done(answer) }
        }

        /// Stops the lookup or the request still under way: libevent calls
        /// back into this POST no more (a cancelled request's callback is not
        /// called; its connection is reset).
        private func abandon() {
            if let lookup { evdns_getaddrinfo_cancel(lookup) }
            if let request {
                self.request = nil
                evhttp_cancel_request(request)
            }
        }

        private static func isStatus(_ answer: DeliveryPolicy.Answer) -> Bool {
            if case .status = answer { return true }
            return false
        }

        /// A shutdown: no answer will be waited for.
        func cancel() {
            guard answer == nil else { return }
            answer = .error("cancelled", retryable: true)
            (deadline, finishing) = (nil, nil)
            abandon()
            if let connection { owner.discard(connection) }
            owner.ended(self)
        }
    }
}
