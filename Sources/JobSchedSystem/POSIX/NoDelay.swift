import Glibc

/// Turns off Nagle's algorithm on a TCP socket: a small write that follows
/// another goes out at once instead of waiting for the peer's delayed ACK
/// (40 ms on Linux). A socket that is not TCP (a Unix socket) is left as it is.
package func sendWithoutDelay(_ fd: Int32) {
    var on: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
}
