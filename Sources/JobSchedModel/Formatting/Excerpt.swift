/// Client input repeated in an error message or a log line: on one line, its
/// control characters escaped, and cut to a short prefix followed by its full
/// length, so that a 60 MB parameter is neither echoed back nor logged whole.
package enum Excerpt {
    /// `'text'`, or `'first characters…' (N bytes)` when longer than `limit` characters.
    package static func quoted(_ input: String, limit: Int = 80) -> String {
        let (head, isCut) = prefix(input, limit: limit)
        return isCut ? "'\(head)…' (\(input.utf8.count) bytes)" : "'\(head)'"
    }

    /// `text`, or `first characters… (N bytes)` when longer than `limit` characters.
    package static func plain(_ input: String, limit: Int = 200) -> String {
        let (head, isCut) = prefix(input, limit: limit)
        return isCut ? "\(head)… (\(input.utf8.count) bytes)" : head
    }

    /// `1,2,3`, or the first `limit` ids and how many more: a list of millions
    /// of ids quoted back whole would make an error reply of megabytes.
    package static func ids(_ ids: [Int64], limit: Int = 10) -> String {
        let shown = ids.prefix(limit).map(String.init).joined(separator: ",")
        return ids.count > limit ? "\(shown),… (\(ids.count) ids)" : shown
    }

    private static func prefix(_ input: String, limit: Int) -> (head: String, isCut: Bool) {
        let scalars = input.unicodeScalars
        // Most input is short: its byte count (no scan) says it fits.
        guard input.utf8.count > limit,
              let end = scalars.index(scalars.startIndex, offsetBy: limit, limitedBy: scalars.endIndex),
              end != scalars.endIndex else { return (TextTable.escape(input), false) }
        return (TextTable.escape(String(scalars[..<end])), true)
    }
}
