import Glibc

/// A reply made of a file's bytes (a job's kept output, up to `--max-log`),
/// read and sent a slice at a time as the client takes them: a reply of any
/// size holds the loop for one read, and costs the server one slice of memory
/// however slowly its client reads. The file is read through its descriptor,
/// so a spool file replaced meanwhile (cut, removed) is still the one whose
/// reading began. A reply that fits in one slice goes as one, with its length.
package final class FileReply {
    /// Bytes read and sent at once.
    package static let sliceBytes = 64 * 1024

    private let request: HTTPRequest
    private let fd: Int32
    private var offset: Int
    private let end: Int
    private let suffix: [UInt8]
    /// Why the last read failed.
    private var failure = ""

    private init(request: HTTPRequest, fd: Int32, offset: Int, end: Int, suffix: [UInt8]) {
        (self.request, self.fd, self.offset, self.end, self.suffix) = (request, fd, offset, end, suffix)
    }

    deinit { close(fd) }

    /// Sends `prefix`, bytes `offset..<offset+length` of the file open as
    /// `fd` (which the reply closes), then `suffix`.
    package static func send(_ request: HTTPRequest, prefix: [UInt8], fd: Int32, offset: Int, length: Int, suffix: [UInt8]) {
        let reply = FileReply(request: request, fd: fd, offset: offset, end: offset + length, suffix: suffix)
        // HEAD: the head alone, however long the body would be (as `SlicedReply`).
        guard request.method != .head else { return request.respond(status: 200, body: "") }
        guard prefix.count + length + suffix.count > sliceBytes else {
            guard let bytes = reply.next() else { return request.respond(status: 500, body: "Error: \(reply.failure)\n") }
            return (prefix + bytes + suffix).withUnsafeBytes { request.respond(status: 200, bytes: $0) }
        }
        // The reply lives as long as its client or its slices: it is kept by its own pending write.
        request.startStream { [reply] in withExtendedLifetime(reply) {} }
        prefix.withUnsafeBytes { request.send($0) }
        reply.sendNext()
    }

    /// The next slice of the file, or nil if it could not be read (or the
    /// file is now shorter than when the reply began).
    private func next() -> [UInt8]? {
        let count = min(FileReply.sliceBytes, end - offset)
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        guard n == count else {
            failure = n < 0 ? "reading the output: \(errnoText())" : "the output file is shorter than it was"
            return nil
        }
        offset += count
        return bytes
    }

    private func sendNext() {
        guard request.isOpen else { return }
        // Cut short: the client sees the reply end without its last chunk.
        guard let bytes = next() else { return request.closeConnection() }
        guard offset < end else {
            (bytes + suffix).withUnsafeBytes { request.send($0) }
            return request.endStream()
        }
        bytes.withUnsafeBytes { request.send($0) { [self] in sendNext() } }
    }
}
