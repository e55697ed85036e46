import CLibEvent
import Glibc
import JobSchedModel

/// A listening Unix domain socket file, mode 0600 (only this user may connect).
///
/// A socket file left by a server that died is replaced; a live one (a
/// connect succeeds) and anything that is not a socket are refused.
/// `removeFile` removes the file only while it is still this socket.
package final class UnixSocket {
    package let path: String
    package let fd: Int32
    private var identity: (dev: dev_t, ino: ino_t)?

    package init(path: String, backlog: Int32) throws(ServerError) {
        self.path = path
        guard var address = UnixSocket.address(path) else {
            throw ServerError("socket path '\(path)' is empty or longer than \(UnixSocket.maxPathBytes) bytes")
        }
        try UnixSocket.removeStaleFile(path, address: &address)
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw ServerError("cannot create a Unix socket: \(errnoText())") }
        // The file is created 0600 from the start: no moment where others may connect.
        let oldMask = umask(0o177)
        let bound = UnixSocket.withSockaddr(&address) { bind(fd, $0, $1) }
        umask(oldMask)
        guard bound == 0, listen(fd, backlog) == 0 else {
            let reason = errnoText()
            close(fd)
            throw ServerError("cannot listen on \(path): \(reason)")
        }
        var info = stat()
        if stat(path, &info) == 0 { identity = (info.st_dev, info.st_ino) }
    }

    package func removeFile() {
        guard let identity else { return }
        var info = stat()
        if stat(path, &info) == 0, info.st_dev == identity.dev, info.st_ino == identity.ino { unlink(path) }
        self.identity = nil
    }

    static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// The socket address of `path`; nil if it is empty, too long or holds a NUL.
    static func address(_ path: String) -> sockaddr_un? {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= maxPathBytes, !bytes.contains(0) else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return address
    }

    static func withSockaddr(_ address: inout sockaddr_un, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// Removes a socket file nobody listens on; refuses a live socket or any other file.
    private static func removeStaleFile(_ path: String, address: inout sockaddr_un) throws(ServerError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ServerError("'\(path)' exists and is not a socket; not replacing it")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw ServerError("cannot create a Unix socket: \(errnoText())") }
        let connected = withSockaddr(&address) { connect(probe, $0, $1) }
        let reason = errno
        close(probe)
        if connected == 0 { throw ServerError("another server is listening on \(path)") }
        guard reason == ECONNREFUSED else {
            throw ServerError("cannot check socket '\(path)': \(String(cString: strerror(reason)))")
        }
        guard unlink(path) == 0 else { throw ServerError("cannot remove stale socket '\(path)': \(errnoText())") }
    }
}
