import Glibc

/// Reads what a file has gained since the last read: the output file of a
/// job that runs elsewhere (a cluster's node) and writes to a shared disk.
package final class FileTail {
    package let path: String
    /// The bytes read so far: where the next read starts.
    package private(set) var offset: Int64

    /// `offset`: what an earlier reader (a previous run of the server) had read already.
    package init(path: String, offset: Int64 = 0) {
        (self.path, self.offset) = (path, offset)
    }

    /// Hands on the bytes added since the last call, in chunks; none if the file does not exist yet.
    package func readNew(into buffer: UnsafeMutableRawBufferPointer, _ deliver: (UnsafeRawBufferPointer) -> Void) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += Int64(n)
            deliver(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
    }

    package func remove() { removeFile(path) }
}
