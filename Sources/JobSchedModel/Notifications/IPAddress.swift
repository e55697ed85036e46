/// An IPv4 or IPv6 address as its bytes: what a notify URL names or its
/// host resolves to, checked against the addresses deliveries never go to.
package struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes, or 16.
    package let bytes: [UInt8]

    package init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// A dotted IPv4 address (`127.0.0.1`) or an IPv6 one (`::1`, `fe80::1`, `::ffff:1.2.3.4`); nil for anything else.
    package init?(literal: String) {
        if let v4 = IPAddress.parseV4(Substring(literal)) {
            bytes = v4
        } else if let v6 = IPAddress.parseV6(literal) {
            bytes = v6
        } else {
            return nil
        }
    }

    package var isV6: Bool { bytes.count == 16 }

    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address it is.
    package var unmapped: IPAddress {
        guard isV6, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return self }
        return IPAddress(bytes: Array(bytes[12...]))!
    }

    /// 169.254.0.0/16 and fe80::/10: where cloud metadata services answer.
    package var isLinkLocal: Bool {
        let address = unmapped
        return address.isV6 ? address.bytes[0] == 0xFE && address.bytes[1] & 0xC0 == 0x80
                            : address.bytes[0] == 169 && address.bytes[1] == 254
    }

    /// 127.0.0.0/8 and ::1.
    package var isLoopback: Bool {
        let address = unmapped
        return address.isV6 ? address.bytes == Array(repeating: 0, count: 15) + [1] : address.bytes[0] == 127
    }

    /// 0.0.0.0 and ::, which a connection takes as this host.
    package var isUnspecified: Bool { unmapped.bytes.allSatisfy { $0 == 0 } }

    package var description: String {
        guard isV6 else { return bytes.map(String.init).joined(separator: ".") }
        if unmapped != self { return "::ffff:\(unmapped)" }
        let words = stride(from: 0, to: 16, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) }
        // The longest run of two or more zero words becomes `::`.
        var best = (start: -1, count: 0), run = (start: -1, count: 0)
        for (index, word) in words.enumerated() {
            if word == 0 {
                run = run.start < 0 ? (index, 1) : (run.start, run.count + 1)
                if run.count > best.count { best = run }
            } else {
                run = (-1, 0)
            }
        }
        let hex = words.map { String($0, radix: 16) }
        guard best.count >= 2 else { return hex.joined(separator: ":") }
        return hex[..<best.start].joined(separator: ":") + "::" + hex[(best.start + best.count)...].joined(separator: ":")
    }

    private static func parseV4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.utf8.allSatisfy(isASCIIDigit), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseV6(_ text: String) -> [UInt8]? {
        let halves = IPAddress.split(text, at: "::")
        guard halves.count <= 2 else { return nil }
        func parseWords(_ part: Substring, allowV4Tail: Bool) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            var result: [UInt16] = []
            let groups = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, group) in groups.enumerated() {
                if allowV4Tail && index == groups.count - 1 && group.contains("."), let v4 = parseV4(group) {
                    result += [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
                } else {
                    guard (1...4).contains(group.count), group.utf8.allSatisfy({ asciiHexValue($0) != nil }),
                          let word = UInt16(group, radix: 16) else { return nil }
                    result.append(word)
                }
            }
            return result
        }
        let words: [UInt16]
        if halves.count == 2 {
            guard let head = parseWords(halves[0], allowV4Tail: false), let tail = parseWords(halves[1], allowV4Tail: true),
                  head.count + tail.count <= 7 else { return nil }
            words = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = parseWords(text[...], allowV4Tail: true), all.count == 8 else { return nil }
            words = all
        }
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// `text` cut at each `separator` (two characters).
    static func split(_ text: String, at separator: String) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex, index = text.startIndex
        while index < text.endIndex {
            if text[index...].hasPrefix(separator) {
                parts.append(text[start..<index])
                index = text.index(index, offsetBy: separator.count)
                start = index
            } else {
                index = text.index(after: index)
            }
        }
        parts.append(text[start...])
        return parts
    }
}
