import CSupport
import Glibc
import JobSchedModel

/// One request on one blocking connection to a jobsched server, over TCP or
/// its Unix socket: how the command-line client talks to it. It runs in the
/// short-lived client process, never on the server's event loop, so blocking
/// reads are what it wants: a `/wait` blocks until the jobs end. Each wait is
/// bounded where the caller says so: a server that accepts and never answers
/// must not hold the client forever. Over TLS once `startTLS` has shaken hands.
package struct HTTPClientConnection: ~Copyable {
    /// Why no connection could be made.
    package struct ConnectError: Error, CustomStringConvertible {
        package enum Kind: Equatable {
            /// Nothing listens there.
            case refused
            /// The connection was not taken within the timeout (a full
            /// listen queue, an address that drops packets).
            case timedOut
            case other
        }

        package let kind: Kind
        package let description: String
    }

    /// What one blocking transfer came to.
    package enum Transfer: Equatable {
        /// The bytes moved: for a read, 0 at the end of the reply.
        case done(Int)
        case timedOut
        case failed(String)
    }

    private let fd: Int32
    /// The TLS connection on `fd`, once `startTLS` has made it.
    private var tls: OpaquePointer?

    private init(fd: Int32) { self.fd = fd }

    deinit {
        // No close_notify: the client is done and exits; the server takes a plain close.
        if let tls { jobsched_tls_free(tls) }
        close(fd)
    }

    /// How the client checks the server's certificate.
    package enum TLSTrust: Equatable {
        /// The system's certificate authorities, or those of a PEM file (`--cacert`).
        case authorities(file: String?)
        /// Any certificate whose SHA-256 fingerprint is this (64 lowercase hex digits).
        case fingerprint(String)
    }

    /// Why the TLS connection could not be made: a certificate that does not
    /// verify or is not the pinned one, or a handshake that failed.
    package struct TLSError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Shakes hands with the server named `host` (as the URL names it),
    /// within `timeout`; from now on requests and replies go over TLS.
    package mutating func startTLS(host: String, trust: TLSTrust, timeout: Double?) throws(TLSError) {
        var pinned: String?
        var caFile: String?
        switch trust {
        case .authorities(let file): caFile = file
        case .fingerprint(let hex): pinned = hex
        }
        // The handshake's reads wait no longer than a connect does.
        HTTPClientConnection.limit(fd, SO_RCVTIMEO, to: timeout)
        defer { HTTPClientConnection.limit(fd, SO_RCVTIMEO, to: nil) }
        var peer = [CChar](repeating: 0, count: 65)
        var error = [CChar](repeating: 0, count: 1024)
        guard let ssl = jobsched_tls_connect(fd, host, TLSFingerprint.isAddress(host) ? 1 : 0, caFile, pinned == nil ? 1 : 0,
                                             &peer, &error, error.count) else {
            throw TLSError(description: text(ofCString: error))
        }
        tls = ssl
        let fingerprint = text(ofCString: peer)
        if let pinned, pinned != fingerprint {
            throw TLSError(description: "the server's certificate has the SHA-256 fingerprint \(TLSFingerprint.display(fingerprint)), not the pinned \(TLSFingerprint.display(pinned))")
        }
    }

    /// Connects to HOST:PORT: an IP address as it is, a name through each
    /// address it resolves to. (An address skips the resolver, whose
    /// interface query and nscd probe cost more than the whole request.)
    /// `timeout` (seconds, nil: none) bounds each connect and each stall
    /// while the request is sent.
    package static func connect(host: String, port: Int, timeout: Double?) throws(ConnectError) -> HTTPClientConnection {
        var ipv4 = sockaddr_in()
        var ipv6 = sockaddr_in6()
        var outcome: Int32?
        if inet_pton(AF_INET, host, &ipv4.sin_addr) == 1 {
            ipv4.sin_family = sa_family_t(AF_INET)
            ipv4.sin_port = in_port_t(UInt16(port).bigEndian)
            outcome = withUnsafePointer(to: &ipv4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    attempt(AF_INET, $0, socklen_t(MemoryLayout<sockaddr_in>.size), timeout: timeout)
                }
            }
        } else if inet_pton(AF_INET6, host, &ipv6.sin6_addr) == 1 {
            ipv6.sin6_family = sa_family_t(AF_INET6)
            ipv6.sin6_port = in_port_t(UInt16(port).bigEndian)
            outcome = withUnsafePointer(to: &ipv6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    attempt(AF_INET6, $0, socklen_t(MemoryLayout<sockaddr_in6>.size), timeout: timeout)
                }
            }
        }
        if let outcome {
            guard outcome >= 0 else { throw connectError(-outcome) }
            return HTTPClientConnection(fd: outcome)
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let list else {
            throw ConnectError(kind: .other, description: "cannot resolve '\(host)': \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = ECONNREFUSED
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let info = entry?.pointee {
            entry = info.ai_next
            let fd = attempt(info.ai_family, info.ai_addr, info.ai_addrlen, timeout: timeout)
            if fd >= 0 { return HTTPClientConnection(fd: fd) }
            lastError = -fd
        }
        throw connectError(lastError)
    }

    /// A connected TCP socket, or minus the errno.
    private static func attempt(_ family: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t,
                                timeout: Double?) -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -errno }
        limitSending(fd, to: timeout)
        guard Glibc.connect(fd, address, length) == 0 else {
            let reason = errno
            close(fd)
            // SO_SNDTIMEO ran out: Linux reports it as the connect of a non-blocking socket.
            return -(reason == EINPROGRESS ? ETIMEDOUT : reason)
        }
        // The request goes out in one write; do not hold it for an ACK.
        sendWithoutDelay(fd)
        return fd
    }

    /// Bounds connect(2) and each send(2) on `fd` (socket(7), SO_SNDTIMEO):
    /// the kernel keeps the time, with no non-blocking dance.
    private static func limitSending(_ fd: Int32, to timeout: Double?) {
        guard let timeout, timeout > 0 else { return }
        limit(fd, SO_SNDTIMEO, to: timeout)
    }

    /// Sets a socket's SO_SNDTIMEO or SO_RCVTIMEO; nil: no limit.
    private static func limit(_ fd: Int32, _ option: Int32, to timeout: Double?) {
        let seconds = timeout.map { max($0, 0) } ?? 0
        let whole = seconds.rounded(.down)
        // At least a microsecond when limited: a zero timeval means no limit.
        var limit = timeval(tv_sec: Int(whole), tv_usec: timeout == nil ? 0 : max(1, Int((seconds - whole) * 1e6)))
        setsockopt(fd, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func connectError(_ reason: Int32) -> ConnectError {
        let kind: ConnectError.Kind = reason == ECONNREFUSED ? .refused : reason == ETIMEDOUT ? .timedOut : .other
        return ConnectError(kind: kind, description: String(cString: strerror(reason)))
    }

    /// Connects to a server's `--socket` file; `timeout` as for TCP.
    package static func connect(unixSocket path: String, timeout: Double?) throws(ConnectError) -> HTTPClientConnection {
        guard var address = UnixSocket.address(path) else {
            throw ConnectError(kind: .other, description: "the socket path is empty or longer than \(UnixSocket.maxPathBytes) bytes")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ConnectError(kind: .other, description: errnoText()) }
        limitSending(fd, to: timeout)
        guard UnixSocket.withSockaddr(&address, { Glibc.connect(fd, $0, $1) }) == 0 else {
            let reason = errno
            close(fd)
            // No file, or a file nobody listens on: no server there. EAGAIN:
            // the listen queue stayed full for the whole timeout.
            switch reason {
            case ECONNREFUSED, ENOENT: throw ConnectError(kind: .refused, description: String(cString: strerror(reason)))
            case EAGAIN: throw connectError(ETIMEDOUT)
            default: throw connectError(reason)
            }
        }
        return HTTPClientConnection(fd: fd)
    }

    /// Sends the whole request: `.done` with its length, `.timedOut` when the
    /// server took no more of it for as long as the connect's timeout.
    package func send(_ request: [UInt8]) -> Transfer {
        var offset = 0
        while offset < request.count {
            if let tls {
                var error = [CChar](repeating: 0, count: 256)
                let n = request.withUnsafeBytes { jobsched_tls_write(tls, $0.baseAddress! + offset, Int32(clamping: $0.count - offset), &error, error.count) }
                guard n > 0 else { return HTTPClientConnection.tlsFailure(n, error) }
                offset += Int(n)
                continue
            }
            // MSG_NOSIGNAL: a server that went away is an error to report, not SIGPIPE.
            let n = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return .timedOut }
            guard n > 0 else { return .failed(errnoText()) }
            offset += n
        }
        return .done(offset)
    }

    /// Reads into `buffer` what has come (`.done(0)` at the end), waiting no
    /// later than `deadline` (nil: for as long as it takes).
    package func receive(into buffer: inout [UInt8], before deadline: ContinuousClock.Instant?) -> Transfer {
        while true {
            // What TLS has already decrypted is not in the socket for poll to see.
            if let deadline, tls.map({ jobsched_tls_pending($0) == 0 }) ?? true {
                let left = deadline - ContinuousClock.now
                guard left > .zero else { return .timedOut }
                var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let polled = poll(&ready, 1, Self.milliseconds(left))
                if polled < 0 && errno != EINTR { return .failed(errnoText()) }
                // Nothing yet, or a signal: look at the clock again.
                if polled <= 0 { continue }
            }
            if let tls {
                var error = [CChar](repeating: 0, count: 256)
                let n = buffer.withUnsafeMutableBytes { jobsched_tls_read(tls, $0.baseAddress, Int32(clamping: $0.count), &error, error.count) }
                return n >= 0 ? .done(Int(n)) : HTTPClientConnection.tlsFailure(n, error)
            }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            return n < 0 ? .failed(errnoText()) : .done(n)
        }
    }

    /// A TLS read or write that moved nothing: timed out (-1) or failed (-2, `error` says why).
    private static func tlsFailure(_ result: Int32, _ error: [CChar]) -> Transfer {
        result == -1 ? .timedOut : .failed(text(ofCString: error))
    }

    /// `duration` in whole milliseconds for poll(2), rounded up so that a
    /// wait never ends before its deadline.
    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: total)
    }
}
