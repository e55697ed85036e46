import Glibc
import JobSchedModel

/// Follows a request's bytes as they arrive, ahead of evhttp's parser, for the two
/// errors evhttp answers with the wrong status from inside its parser:
///
/// - a request line and headers over the limit (evhttp: 400; RFC 6585: 431). Line ends
///   count here (not in evhttp), so this always speaks first;
/// - a malformed chunk size in a chunked body (evhttp: 413, as if the body were too
///   large; it is a 400). Sizes are read as evhttp reads them (a line per size, empty
///   lines skipped, then that many bytes), but only hex digits pass.
///
/// Which bodies are chunked is read as evhttp reads it: a POST, PUT or PATCH whose first
/// `Transfer-Encoding` header is `chunked`. A header too long to recognise here is left
/// to evhttp.
package struct RequestScanner {
    package enum Refusal: Equatable { case headTooLarge, badChunkSize }

    package let headLimit: Int
    package private(set) var headBytes = 0
    package private(set) var refusal: Refusal?
    /// Nothing more to look at until the next request.
    package var isDone: Bool { phase == .done }

    private enum Phase: Equatable { case head, chunkSize, chunkData(remaining: UInt64), done }
    private var phase = Phase.head
    /// The first bytes of the current line, and its length so far.
    private var prefix = InlineArray<32, UInt8>(repeating: 0)
    private var lineLength = 0
    private var isRequestLine = true
    private var methodHasBody = false
    private var sawTransferEncoding = false
    private var isChunked = false

    package init(headLimit: Int) { self.headLimit = headLimit }

    /// Takes the next bytes of the connection.
    package mutating func scan(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var i = 0
        while i < bytes.count && refusal == nil {
            switch phase {
            case .done:
                return
            case .chunkData(let remaining):
                let taken = min(remaining, UInt64(bytes.count - i))
                i += Int(taken)
                phase = taken == remaining ? .chunkSize : .chunkData(remaining: remaining - taken)
            case .head, .chunkSize:
                // Line by line with memchr: every request's head comes through here.
                let newline = memchr(base + i, Int32(UInt8(ascii: "\n")), bytes.count - i)
                let end = newline.map { base.distance(to: UnsafeRawPointer($0)) } ?? bytes.count
                let room = max(0, prefix.count - lineLength)
                for offset in i..<min(end, i + room) { prefix[lineLength + offset - i] = bytes[offset] }
                lineLength += end - i
                if phase == .head {
                    headBytes += end - i + (newline == nil ? 0 : 1)
                    if headBytes > headLimit {
                        refusal = .headTooLarge
                        return
                    }
                }
                i = end
                if newline != nil {
                    i += 1
                    endOfLine()
                    lineLength = 0
                }
            }
        }
    }

    /// The current line without its `\r`, as far as it was kept.
    private var line: (length: Int, kept: Int) {
        let length = lineLength > 0 && lineLength <= prefix.count && prefix[lineLength - 1] == UInt8(ascii: "\r")
            ? lineLength - 1 : lineLength
        return (length, min(length, prefix.count))
    }

    private mutating func endOfLine() {
        let (length, kept) = line
        switch phase {
        case .head where isRequestLine:
            isRequestLine = false
            methodHasBody = startsWith("POST ") || startsWith("PUT ") || startsWith("PATCH ")
        case .head where length == 0:
            phase = methodHasBody && isChunked ? .chunkSize : .done
        case .head:
            guard !sawTransferEncoding, startsWith("transfer-encoding:", ignoringCase: true) else { return }
            sawTransferEncoding = true
            // evhttp skips spaces before a value and white space after it.
            var start = "transfer-encoding:".utf8.count
            while start < kept && prefix[start] == UInt8(ascii: " ") { start += 1 }
            var end = kept
            while end > start && (prefix[end - 1] == UInt8(ascii: " ") || prefix[end - 1] == UInt8(ascii: "\t")) { end -= 1 }
            isChunked = length == kept && matches("chunked", at: start, end: end)
        case .chunkSize:
            guard length > 0 else { return }
            guard length == kept, length <= 16 else {
                refusal = .badChunkSize
                return
            }
            var size: UInt64 = 0
            for index in 0..<length {
                guard let digit = asciiHexValue(prefix[index]) else {
                    refusal = .badChunkSize
                    return
                }
                size = size << 4 | UInt64(digit)
            }
            // The last chunk: evhttp reads the trailer. A size evhttp cannot take is
            // its own to refuse (413, too large).
            phase = size == 0 || size > UInt64(Int64.max) ? .done : .chunkData(remaining: size)
        case .chunkData, .done:
            break
        }
    }

    private func startsWith(_ text: StaticString, ignoringCase: Bool = false) -> Bool {
        let (_, kept) = line
        return text.utf8CodeUnitCount <= kept && matches(text, at: 0, end: text.utf8CodeUnitCount, ignoringCase: ignoringCase)
    }

    private func matches(_ text: StaticString, at start: Int, end: Int, ignoringCase: Bool = true) -> Bool {
        guard end - start == text.utf8CodeUnitCount else { return false }
        var index = start
        for expected in UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount) {
            let byte = prefix[index]
            let folded = ignoringCase && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
            guard folded == expected else { return false }
            index += 1
        }
        return true
    }
}
