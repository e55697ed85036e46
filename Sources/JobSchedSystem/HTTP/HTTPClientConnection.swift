import Glibc
import JobSchedModel

/// One request on one blocking connection to a jobsched server, over TCP or
/// its Unix socket: how the command-line client talks to it. It runs in the
/// short-lived client process, never on the server's event loop, so blocking
/// reads are what it wants: a `/wait` blocks until the jobs end.
package struct HTTPClientConnection: ~Copyable {
    /// Why no connection could be made; `isRefused` when nothing listens there.
    package struct ConnectError: Error, CustomStringConvertible {
        package let description: String
        package let isRefused: Bool
    }

    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Connects to HOST:PORT: an IP address as it is, a name through each
    /// address it resolves to. (An address skips the resolver, whose
    /// interface query and nscd probe cost more than the whole request.)
    package static func connect(host: String, port: Int) throws(ConnectError) -> HTTPClientConnection {
        var ipv4 = sockaddr_in()
        var ipv6 = sockaddr_in6()
        var outcome: Int32?
        if inet_pton(AF_INET, host, &ipv4.sin_addr) == 1 {
            ipv4.sin_family = sa_family_t(AF_INET)
            ipv4.sin_port = in_port_t(UInt16(port).bigEndian)
            outcome = withUnsafePointer(to: &ipv4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { attempt(AF_INET, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else if inet_pton(AF_INET6, host, &ipv6.sin6_addr) == 1 {
            ipv6.sin6_family = sa_family_t(AF_INET6)
            ipv6.sin6_port = in_port_t(UInt16(port).bigEndian)
            outcome = withUnsafePointer(to: &ipv6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { attempt(AF_INET6, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        if let outcome {
            guard outcome >= 0 else { throw refusedOrFailed(-outcome) }
            return HTTPClientConnection(fd: outcome)
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let list else {
            throw ConnectError(description: "cannot resolve '\(host)': \(String(cString: gai_strerror(resolved)))", isRefused: false)
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = ECONNREFUSED
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let info = entry?.pointee {
            entry = info.ai_next
            let fd = attempt(info.ai_family, info.ai_addr, info.ai_addrlen)
            if fd >= 0 { return HTTPClientConnection(fd: fd) }
            lastError = -fd
        }
        throw refusedOrFailed(lastError)
    }

    /// A connected TCP socket, or minus the errno.
    private static func attempt(_ family: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -errno }
        guard Glibc.connect(fd, address, length) == 0 else {
            let reason = errno
            close(fd)
            return -reason
        }
        // The request goes out in one write; do not hold it for an ACK.
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    private static func refusedOrFailed(_ reason: Int32) -> ConnectError {
        ConnectError(description: String(cString: strerror(reason)), isRefused: reason == ECONNREFUSED)
    }

    /// Connects to a server's `--socket` file.
    package static func connect(unixSocket path: String) throws(ConnectError) -> HTTPClientConnection {
        guard var address = UnixSocket.address(path) else {
            throw ConnectError(description: "the socket path is empty or longer than \(UnixSocket.maxPathBytes) bytes", isRefused: false)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ConnectError(description: errnoText(), isRefused: false) }
        guard UnixSocket.withSockaddr(&address, { Glibc.connect(fd, $0, $1) }) == 0 else {
            let reason = errno
            close(fd)
            // No file, or a file nobody listens on: no server there.
            throw ConnectError(description: String(cString: strerror(reason)),
                               isRefused: reason == ECONNREFUSED || reason == ENOENT)
        }
        return HTTPClientConnection(fd: fd)
    }

    /// Sends the whole request; false if the server closed the connection.
    package func send(_ request: [UInt8]) -> Bool {
        var offset = 0
        while offset < request.count {
            // MSG_NOSIGNAL: a server that went away is an error to report, not SIGPIPE.
            let n = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// Reads into `buffer`: the byte count, 0 at the end, nil on an error.
    package func receive(into buffer: inout [UInt8]) -> Int? {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            return n < 0 ? nil : n
        }
    }
}
