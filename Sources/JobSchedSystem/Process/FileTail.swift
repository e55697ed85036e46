import Glibc

/// Reads what a file has gained since the last read: the output file of a
/// job that runs elsewhere (a cluster's node) and writes to a shared disk.
package final class FileTail {
    package let path: String
    private var offset: off_t = 0

    package init(path: String) {
        self.path = path
    }

    /// Hands on the bytes added since the last call, in chunks; none if the file does not exist yet.
    package func readNew(into buffer: UnsafeMutableRawBufferPointer, _ deliver: (UnsafeRawBufferPointer) -> Void) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += off_t(n)
            deliver(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
    }

    package func remove() { removeFile(path) }
}
