/// Reads an HTTP/1.1 response as its bytes arrive: the status, then the body
/// as it comes, whether it is framed by Content-Length, chunked, or ended by
/// the server closing the connection. The command-line client's half of HTTP.
package struct HTTPResponseDecoder {
    /// A reply that is not HTTP/1.1 as jobsched sends it.
    package struct DecodingError: Error, Equatable {
        package let reason: String
    }

    private enum Framing {
        case length(Int)
        case chunked
        case untilClose
    }

    private enum State {
        case head
        case body(Framing)
        /// Inside a chunk with this many bytes left, then its CRLF.
        case chunk(remaining: Int)
        case chunkEnd
        /// After the last chunk: trailer lines up to an empty one.
        case trailer
        case complete
    }

    private var state = State.head
    private var buffer: [UInt8] = []
    package private(set) var status: Int?
    package var isComplete: Bool { if case .complete = state { return true } else { return false } }

    package init() {}

    /// Takes the next bytes off the connection; hands each piece of body to `body`, with the status.
    package mutating func feed(_ bytes: ArraySlice<UInt8>, body: (_ status: Int, _ piece: [UInt8]) -> Void) throws(DecodingError) {
        buffer += bytes
        while true {
            switch state {
            case .head:
                guard let end = Self.find([13, 10, 13, 10], in: buffer) else {
                    if buffer.count > 64 * 1024 { throw DecodingError(reason: "response head longer than 64 KiB") }
                    return
                }
                let head = buffer[..<end]
                state = try parseHead(head)
                buffer.removeSubrange(..<(end + 4))
            case .body(.length(let remaining)):
                let n = min(remaining, buffer.count)
                if n > 0 { body(status ?? 0, Array(buffer[..<n])); buffer.removeSubrange(..<n) }
                state = remaining - n == 0 ? .complete : .body(.length(remaining - n))
                if remaining - n > 0 { return }
            case .body(.untilClose):
                if !buffer.isEmpty { body(status ?? 0, buffer); buffer.removeAll() }
                return
            case .body(.chunked):
                guard let lineEnd = Self.find([13, 10], in: buffer) else { return }
                // The size in hex, then maybe `;extensions` (ignored).
                var size = 0
                var digits = 0
                for byte in buffer[..<lineEnd] {
                    guard let digit = Self.hexValue(byte) else { break }
                    guard size < 1 << 40 else { throw DecodingError(reason: "chunk too large") }
                    size = size * 16 + digit
                    digits += 1
                }
                guard digits > 0 else { throw DecodingError(reason: "bad chunk size line") }
                buffer.removeSubrange(..<(lineEnd + 2))
                state = size == 0 ? .trailer : .chunk(remaining: size)
            case .chunk(let remaining):
                let n = min(remaining, buffer.count)
                if n > 0 { body(status ?? 0, Array(buffer[..<n])); buffer.removeSubrange(..<n) }
                state = remaining - n == 0 ? .chunkEnd : .chunk(remaining: remaining - n)
                if remaining - n > 0 { return }
            case .chunkEnd:
                guard buffer.count >= 2 else { return }
                guard buffer[0] == 13, buffer[1] == 10 else { throw DecodingError(reason: "chunk not followed by CRLF") }
                buffer.removeSubrange(..<2)
                state = .body(.chunked)
            case .trailer:
                guard let lineEnd = Self.find([13, 10], in: buffer) else { return }
                buffer.removeSubrange(..<(lineEnd + 2))
                if lineEnd == 0 { state = .complete }
            case .complete:
                return
            }
        }
    }

    /// The connection has closed: fine only where the response may end so.
    package mutating func finish() throws(DecodingError) {
        switch state {
        case .complete: return
        case .body(.untilClose): state = .complete
        case .head: throw DecodingError(reason: status == nil && buffer.isEmpty ? "no response" : "connection closed inside the response head")
        default: throw DecodingError(reason: "connection closed before the response ended")
        }
    }

    /// The status line and the two headers that frame the body. Read as
    /// bytes: the client reads one reply per run, and String's generic
    /// trimming and splitting cost more to set up than the rest of it.
    private mutating func parseHead(_ head: ArraySlice<UInt8>) throws(DecodingError) -> State {
        let lines = head.split(separator: 10, omittingEmptySubsequences: false).map { $0.last == 13 ? $0.dropLast() : $0 }
        let statusLine = lines[0]
        let prefix = Array("HTTP/1.".utf8)
        guard statusLine.starts(with: prefix), statusLine.count >= 12, statusLine[statusLine.startIndex + 8] == 32,
              let code = Self.decimal(statusLine.dropFirst(9).prefix(3)) else {
            throw DecodingError(reason: "not an HTTP response: \(String(decoding: statusLine.prefix(80), as: UTF8.self))")
        }
        status = code
        var framing = Framing.untilClose
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = line[..<colon].map { $0 | 0x20 }  // ASCII lower case, enough for these names
            let value = Self.trimmed(line[(colon + 1)...])
            if name.elementsEqual("transfer-encoding".utf8) {
                if String(decoding: value, as: UTF8.self).lowercased().contains("chunked") { framing = .chunked }
            } else if name.elementsEqual("content-length".utf8), case .untilClose = framing {
                guard let length = Self.decimal(value) else {
                    throw DecodingError(reason: "bad Content-Length '\(String(decoding: value, as: UTF8.self))'")
                }
                framing = .length(length)
            }
        }
        // An interim response (100 Continue): the real one follows.
        if (100..<200).contains(code) { status = nil; return .head }
        // No body after these, whatever the headers say.
        if code == 204 || code == 304 { return .complete }
        if case .length(0) = framing { return .complete }
        return .body(framing)
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var bytes = bytes
        while bytes.first == 32 || bytes.first == 9 { bytes = bytes.dropFirst() }
        while bytes.last == 32 || bytes.last == 9 { bytes = bytes.dropLast() }
        return bytes
    }

    private static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 15 else { return nil }
        var value = 0
        for byte in bytes {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 48...57: return Int(byte - 48)
        case 65...70: return Int(byte - 55)
        case 97...102: return Int(byte - 87)
        default: return nil
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }
}
