/// Bytes sent to many clients without a copy for each: every connection's
/// output buffer refers to them (libevent's `evbuffer_add_reference`), and the
/// last connection done with them frees them. A burst of events sent to a
/// thousand clients takes its memory once, not a thousand times.
package final class SharedBytes {
    let storage: UnsafeMutableRawBufferPointer

    package init(_ text: String) {
        var text = text
        storage = text.withUTF8 { utf8 in
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: utf8.count, alignment: 1)
            storage.copyMemory(from: UnsafeRawBufferPointer(utf8))
            return storage
        }
    }

    deinit { storage.deallocate() }

    package var count: Int { storage.count }
}
