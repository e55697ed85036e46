/// Reads an HTTP/1.1 response as its bytes arrive: the status, then the body
/// as it comes, whether it is framed by Content-Length, chunked, or ended by
/// the server closing the connection. The command-line client's half of HTTP.
///
/// It trusts nothing: the head, each chunk-size line and the trailer are
/// bounded, and each byte is searched once however it is split into reads,
/// so a server that never ends a line costs neither memory nor quadratic
/// time. How much body to take is the reader's to bound: it gets each piece
/// as it comes and keeps none.
package struct HTTPResponseDecoder {
    /// A reply that is not HTTP/1.1 as jobsched sends it.
    package struct DecodingError: Error, Equatable {
        package let reason: String
    }

    /// The longest head (status line and headers), and the longest trailer:
    /// jobsched's are a few hundred bytes.
    package static let maxHeadBytes = 64 * 1024
    /// The longest chunk-size line: its size in hex and any extensions.
    package static let maxChunkLineBytes = 1024

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

    private static let crlf: [UInt8] = [13, 10]
    private static let headEnd: [UInt8] = [13, 10, 13, 10]

    private var state = State.head
    private var buffer: [UInt8] = []
    /// How much of `buffer` has been searched for the end of the line or head
    /// being read: the next search starts there.
    private var searched = 0
    package private(set) var status: Int?
    package var isComplete: Bool { if case .complete = state { return true } else { return false } }

    package init() {}

    /// Takes the next bytes off the connection; returns the body bytes among them.
    package mutating func feed(_ bytes: ArraySlice<UInt8>) throws(DecodingError) -> [UInt8] {
        buffer += bytes
        var body: [UInt8] = []
        while true {
            switch state {
            case .head:
                guard let end = try find(Self.headEnd, within: Self.maxHeadBytes, "the response head") else { return body }
                state = try parseHead(buffer[..<end])
                consume(end + Self.headEnd.count)
            case .body(.length(let remaining)):
                let n = min(remaining, buffer.count)
                body += buffer[..<n]
                consume(n)
                guard remaining > n else { state = .complete; return body }
                state = .body(.length(remaining - n))
                return body
            case .body(.untilClose):
                body += buffer
                consume(buffer.count)
                return body
            case .body(.chunked):
                guard let end = try find(Self.crlf, within: Self.maxChunkLineBytes, "a chunk-size line") else { return body }
                let size = try Self.chunkSize(buffer[..<end])
                consume(end + Self.crlf.count)
                state = size == 0 ? .trailer : .chunk(remaining: size)
            case .chunk(let remaining):
                let n = min(remaining, buffer.count)
                body += buffer[..<n]
                consume(n)
                guard remaining > n else { state = .chunkEnd; continue }
                state = .chunk(remaining: remaining - n)
                return body
            case .chunkEnd:
                guard buffer.count >= 2 else { return body }
                guard buffer[0] == 13, buffer[1] == 10 else { throw DecodingError(reason: "chunk not followed by CRLF") }
                consume(2)
                state = .body(.chunked)
            case .trailer:
                // An empty line at once, or trailer fields up to one, bounded as the head is.
                guard buffer.count >= 2 else { return body }
                if buffer[0] == 13 && buffer[1] == 10 {
                    consume(2)
                } else {
                    guard let end = try find(Self.headEnd, within: Self.maxHeadBytes, "the trailer") else { return body }
                    consume(end + Self.headEnd.count)
                }
                state = .complete
            case .complete:
                return body
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

    /// Where `needle` starts in `buffer`, searching on from where the last
    /// search stopped; nil when it has not come yet. Throws once more than
    /// `limit` bytes have come without it.
    private mutating func find(_ needle: [UInt8], within limit: Int, _ what: String) throws(DecodingError) -> Int? {
        let lastStart = min(buffer.count - needle.count, limit)
        var start = max(0, searched - needle.count + 1)
        while start <= lastStart {
            if buffer[start] == needle[0] && buffer[start..<(start + needle.count)].elementsEqual(needle) { return start }
            start += 1
        }
        guard buffer.count - needle.count < limit else {
            throw DecodingError(reason: "\(what) is longer than \(limit) bytes")
        }
        searched = buffer.count
        return nil
    }

    /// Drops the first `count` bytes, which have been read.
    private mutating func consume(_ count: Int) {
        buffer.removeSubrange(..<count)
        searched = 0
    }

    /// The size in hex, then maybe `;extensions` (ignored).
    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(DecodingError) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            guard let digit = hexValue(byte) else { break }
            guard size < 1 << 40 else { throw DecodingError(reason: "chunk too large") }
            size = size * 16 + digit
            digits += 1
        }
        let rest = line.dropFirst(digits)
        guard digits > 0, rest.isEmpty || [UInt8(ascii: ";"), 32, 9].contains(rest.first!) else {
            throw DecodingError(reason: "bad chunk size line")
        }
        return size
    }

    /// The status line and the two headers that frame the body. Read as
    /// bytes: the client reads one reply per run, and String's generic
    /// trimming and splitting cost more to set up than the rest of it.
    private mutating func parseHead(_ head: ArraySlice<UInt8>) throws(DecodingError) -> State {
        let lines = head.split(separator: 10, omittingEmptySubsequences: false).map { $0.last == 13 ? $0.dropLast() : $0 }
        let statusLine = lines[0]
        let prefix = Array("HTTP/1.".utf8)
        guard statusLine.starts(with: prefix), statusLine.count >= 12, statusLine[statusLine.startIndex + 8] == 32,
              let code = Self.decimal(statusLine.dropFirst(9).prefix(3)), (100...599).contains(code) else {
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
                    throw DecodingError(reason: "bad Content-Length '\(String(decoding: value.prefix(80), as: UTF8.self))'")
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
}
