/// Bytes sent to many clients without a copy for each: every connection's
/// output buffer refers to them (libevent's `evbuffer_add_reference`), and the
/// last connection done with them frees them. A burst of events sent to a
/// thousand clients takes its memory once, not a thousand times.
///
/// They are framed once as an HTTP/1.1 chunk (`SIZE\r\n…\r\n`), for the
/// chunked replies, which most streams are: framing them for each client
/// (evhttp's way) cost two small buffers per client and batch, and a
/// thousand clients that did not read held 360 MB of them.
package final class SharedBytes {
    private let storage: UnsafeMutableRawBufferPointer
    private let headerCount: Int

    package convenience init(_ text: String) {
        var text = text
        self.init(count: text.utf8.count) { payload in
            text.withUTF8 { payload.copyMemory(from: UnsafeRawBufferPointer($0)) }
        }
    }

    /// A copy of `bytes`.
    package convenience init(_ bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count) { $0.copyMemory(from: bytes) }
    }

    /// `count` bytes that `fill` writes, framed.
    private init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        let header = Array(String(count, radix: 16).utf8) + [13, 10]
        headerCount = header.count
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: header.count + count + 2, alignment: 1)
        storage.copyBytes(from: header)
        fill(UnsafeMutableRawBufferPointer(rebasing: storage[header.count..<(header.count + count)]))
        storage[storage.count - 2] = 13
        storage[storage.count - 1] = 10
    }

    deinit { storage.deallocate() }

    package var count: Int { storage.count - headerCount - 2 }

    /// The bytes as they go out: framed as a chunk, or as they are.
    func bytes(chunked: Bool) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: chunked ? storage[...] : storage[headerCount..<(storage.count - 2)])
    }
}
