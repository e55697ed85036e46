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
    package mutating func feed(_ bytes: some Collection<UInt8>, body: (_ status: Int, _ piece: [UInt8]) -> Void) throws(DecodingError) {
        buffer += bytes
        while true {
            switch state {
            case .head:
                guard let end = Self.find([13, 10, 13, 10], in: buffer) else {
                    if buffer.count > 64 * 1024 { throw DecodingError(reason: "response head longer than 64 KiB") }
                    return
                }
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(..<(end + 4))
                state = try parseHead(head)
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
                let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self)
                    .prefix { $0 != ";" }.trimmingCharacters(" ")
                guard let size = Int(sizeText, radix: 16), size >= 0 else { throw DecodingError(reason: "bad chunk size '\(sizeText)'") }
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

    private mutating func parseHead(_ head: String) throws(DecodingError) -> State {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusWords = lines[0].split(separator: " ", maxSplits: 2)
        guard statusWords.count >= 2, statusWords[0].hasPrefix("HTTP/1."), let code = Int(statusWords[1]) else {
            throw DecodingError(reason: "not an HTTP response: \(lines[0].prefix(80))")
        }
        status = code
        var framing = Framing.untilClose
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(" ")
            if name == "transfer-encoding", value.lowercased().contains("chunked") {
                framing = .chunked
            } else if name == "content-length", case .untilClose = framing {
                guard let length = Int(value), length >= 0 else { throw DecodingError(reason: "bad Content-Length '\(value)'") }
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

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(_ character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
