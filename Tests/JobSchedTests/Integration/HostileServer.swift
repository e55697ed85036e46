import Foundation
import Glibc

/// A server in the test process that speaks just enough HTTP to misbehave:
/// a real listening socket (TCP on loopback, or a Unix socket file), each
/// connection handed to `script` on a thread of its own. With `accepting:
/// false` it accepts nothing, so that its listen queue fills up.
final class HostileServer: @unchecked Sendable {
    /// One accepted connection, as the script sees it.
    struct Connection {
        let fd: Int32

        /// Reads the client's request: its head and its Content-Length body
        /// (unread bytes would make close(2) reset the connection before the
        /// client has read the reply).
        func readRequest() {
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                if let end = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                    let head = String(decoding: received[..<end.lowerBound], as: UTF8.self).lowercased()
                    let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
                    if received.count - end.upperBound >= length { return }
                }
                let n = read(fd, &chunk, chunk.count)
                guard n > 0 else { return }
                received += chunk[..<n]
            }
        }

        /// Sends every byte; false once the client has gone.
        @discardableResult
        func send(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { return false }
                sent += n
            }
            return true
        }

        /// Sends `piece` again and again until the client goes.
        func sendForever(_ piece: String) {
            while send(piece) {}
        }

        /// Ends the reply, then waits for the client to close its side.
        func finish() {
            shutdown(fd, Int32(SHUT_WR))
            holdUntilClientCloses()
        }

        /// Answers nothing; returns when the client has gone.
        func holdUntilClientCloses() {
            var byte: UInt8 = 0
            while read(fd, &byte, 1) > 0 {}
        }
    }

    let port: Int
    let socketPath: String?
    private let listener: Int32
    /// Connections of the test's own that fill the listen queue.
    private var fillers: [Int32] = []

    /// `socketPath`: listen there instead of on a loopback port.
    init(socketPath: String? = nil, accepting: Bool = true, _ script: @escaping @Sendable (Connection) -> Void) throws {
        self.socketPath = socketPath
        let listener = socket(socketPath == nil ? AF_INET : AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        guard Self.withAddress(socketPath, port: 0, { bind(listener, $0, $1) == 0 }) else {
            throw HarnessError("bind: \(errno)")
        }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = socketPath == nil ? Int(UInt16(bigEndian: bound.sin_port)) : 0
        // A backlog of 0 holds one connection (Linux): one more is not taken.
        guard listen(listener, accepting ? 16 : 0) == 0 else { throw HarnessError("listen: \(errno)") }
        guard accepting else { return }
        Thread.detachNewThread {
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }  // shut down by deinit
                Thread.detachNewThread {
                    script(Connection(fd: fd))
                    close(fd)
                }
            }
        }
    }

    /// The client's `--url`.
    var url: String { socketPath.map { "unix:\($0)" } ?? ":\(port)" }

    /// Connects to itself once: with `accepting: false`, that is all its
    /// listen queue holds, and the next connection is not taken.
    func fillListenQueue() throws {
        let fd = socket(socketPath == nil ? AF_INET : AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard Self.withAddress(socketPath, port: port, { connect(fd, $0, $1) == 0 }) else {
            throw HarnessError("connect to fill the listen queue: \(errno)")
        }
        fillers.append(fd)
    }

    deinit {
        // Wakes the accepting thread, which then ends.
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        fillers.forEach { close($0) }
        if let socketPath { unlink(socketPath) }
    }

    /// Calls `body` with the Unix socket's address, or 127.0.0.1:`port`.
    private static func withAddress(_ socketPath: String?, port: Int,
                                    _ body: (UnsafePointer<sockaddr>, socklen_t) -> Bool) -> Bool {
        if let socketPath {
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
            }
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
