import JobSchedModel

/// Decoding of request parameters, from a query string, a urlencoded body or
/// a multipart/form-data body, into name/value pairs in request order.
package enum FormDecoding {
    /// `a=1&b=x%20y`. Names and values are percent-decoded, `+`
    /// becomes a space, and a name without `=` has an empty value.
    package static func decodeURLEncoded<Bytes: Collection>(_ bytes: Bytes) throws(RequestError) -> [(String, String)]
    where Bytes.Element == UInt8 {
        // Scanned in place, with no slices or copies: every request with parameters comes here.
        let decoded = bytes.withContiguousStorageIfAvailable(scanPairs) ?? Array(bytes).withUnsafeBufferPointer(scanPairs)
        return try decoded.get()
    }

    package static let notAForm = RequestError.badRequest("the body is not form data; use lines=1 to submit one job per line")

    /// The name/value pairs of `decodeURLEncoded`, from bytes in memory.
    private static func scanPairs(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<[(String, String)], RequestError> {
        var pairs: [(String, String)] = []
        var start = 0
        while start < bytes.count {
            var end = start
            var equals: Int?
            while end < bytes.count && bytes[end] != UInt8(ascii: "&") {
                if equals == nil {
                    if bytes[end] == UInt8(ascii: "=") { equals = end }
                    // A name never holds a raw newline; a file of commands sent with --data-binary does.
                    if bytes[end] == UInt8(ascii: "\n") { return .failure(notAForm) }
                }
                end += 1
            }
            if end > start {
                do throws(RequestError) {
                    let name = try percentDecode(UnsafeBufferPointer(rebasing: bytes[start..<(equals ?? end)]))
                    let value = try equals.map { i throws(RequestError) in
                        try percentDecode(UnsafeBufferPointer(rebasing: bytes[(i + 1)..<end]))
                    } ?? ""
                    pairs.append((name, value))
                } catch {
                    return .failure(error)
                }
            }
            start = end + 1
        }
        return .success(pairs)
    }

    private static func percentDecode(_ bytes: UnsafeBufferPointer<UInt8>) throws(RequestError) -> String {
        // Most names and values (`sync=0`, `command=true`) have nothing to decode.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) { return try text(bytes) }
        // As evhttp_uridecode does: `%` with two hex digits is that byte, any other `%` stays.
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = asciiHexValue(bytes[index + 1]),
               let low = asciiHexValue(bytes[index + 2]) {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return try text(decoded)
    }

    /// Text that is valid UTF-8 with no NUL byte: a command is never silently altered.
    package static func text<Bytes: Collection>(_ bytes: Bytes) throws(RequestError) -> String where Bytes.Element == UInt8 {
        if bytes.contains(0) { throw .badRequest("parameters must not contain NUL bytes") }
        // ASCII is valid as it is, and decoding it is several times cheaper than validating.
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw .badRequest("parameters must be valid UTF-8")
        }
        return string
    }

    /// Whether a content type is `application/x-www-form-urlencoded`, in any
    /// case, with or without parameters; compared in place, without a lowercased copy.
    package static func isURLEncoded(contentType: String) -> Bool {
        let expected: StaticString = "application/x-www-form-urlencoded"
        var given = contentType
        return given.withUTF8 { given in
            guard given.count >= expected.utf8CodeUnitCount else { return false }
            for index in 0..<expected.utf8CodeUnitCount {
                let byte = given[index], lowercase = expected.utf8Start[index]
                let folded = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
                if folded != lowercase { return false }
            }
            return true
        }
    }

    /// The boundary of a `multipart/form-data; boundary=...` content type.
    package static func multipartBoundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingSpaces }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            let value = part.dropFirst("boundary=".count)
            return String(value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2
                          ? value.dropFirst().dropLast() : value)
        }
        return nil
    }

    /// The fields of a multipart/form-data body (what `curl -F name=value` sends).
    package static func decodeMultipart(_ body: [UInt8], boundary: String) throws(RequestError) -> [(String, String)] {
        let delimiter = Array("--\(boundary)".utf8)
        let malformed = RequestError.badRequest("malformed multipart/form-data body")
        guard !boundary.isEmpty, var cursor = body.firstRange(of: delimiter)?.upperBound else { throw malformed }
        var pairs: [(String, String)] = []
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            if body[cursor...].starts(with: Array("--".utf8)) { return pairs }
            guard body[cursor...].starts(with: [13, 10]) else { throw malformed }
            let partStart = cursor + 2
            guard let headerEnd = body[partStart...].firstRange(of: [13, 10, 13, 10]),
                  let next = body[headerEnd.upperBound...].firstRange(of: [13, 10] + delimiter) else { throw malformed }
            let headers = try text(body[partStart..<headerEnd.lowerBound])
            guard let name = formFieldName(headers: headers) else { throw malformed }
            pairs.append((name, try text(body[headerEnd.upperBound..<next.lowerBound])))
            cursor = next.upperBound
        }
    }

    private static func formFieldName(headers: String) -> String? {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            for attribute in line.split(separator: ";").map({ $0.trimmingSpaces }) where attribute.hasPrefix("name=") {
                return String(attribute.dropFirst("name=".count).trimming { $0 == "\"" })
            }
        }
        return nil
    }
}

extension StringProtocol {
    package var trimmingSpaces: Substring { trimming { $0 == " " } }

    /// Without the leading and trailing characters for which `isTrimmed` holds.
    package func trimming(_ isTrimmed: (Character) -> Bool) -> Substring {
        let s = self[...]
        guard let first = s.firstIndex(where: { !isTrimmed($0) }),
              let last = s.lastIndex(where: { !isTrimmed($0) }) else { return "" }
        return Substring(s[first...last])
    }
}
