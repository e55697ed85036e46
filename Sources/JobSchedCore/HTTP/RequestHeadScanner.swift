import Glibc

/// Follows the head of a request (request line and headers, up to the empty line) as
/// its bytes arrive, to tell when it is over the size limit.
///
/// evhttp has a limit of its own, but answers it with a 400 from inside its parser;
/// RFC 6585 asks for 431. This scanner sees the bytes before evhttp parses them, and
/// counts line ends too (evhttp does not), so it always speaks first.
struct RequestHeadScanner {
    let limit: Int
    private(set) var count = 0
    private(set) var isComplete = false
    /// Just after a `\n`, and whether a `\r` followed it: an empty line so far.
    private var atLineStart = false
    private var sawCR = false

    init(limit: Int) { self.limit = limit }

    var isTooLarge: Bool { count > limit }

    /// Takes the next bytes of the connection, up to the end of the head.
    mutating func scan(_ bytes: UnsafeRawBufferPointer) {
        guard !isComplete, let base = bytes.baseAddress else { return }
        var i = 0
        while i < bytes.count {
            if atLineStart {
                let byte = bytes[i]
                if byte == UInt8(ascii: "\n") {
                    isComplete = true
                    i += 1
                    break
                }
                if byte == UInt8(ascii: "\r") && !sawCR {
                    sawCR = true
                    i += 1
                    continue
                }
                atLineStart = false
                sawCR = false
            }
            // Line by line with memchr: every request's head comes through here.
            guard let newline = memchr(base + i, Int32(UInt8(ascii: "\n")), bytes.count - i) else {
                i = bytes.count
                break
            }
            i = base.distance(to: UnsafeRawPointer(newline)) + 1
            atLineStart = true
        }
        count += i
    }
}
