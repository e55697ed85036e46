import JobSchedModel

/// A refused request's reply as the one line the client prints on stderr:
/// the server's own message (`Error: unknown job id 9` says `unknown job id
/// 9`), its control characters escaped so that no reply can drive the
/// terminal, from at most the first `maxBytes` of the reply.
package enum ServerMessage {
    /// The most of an error reply the client reads: jobsched's are one line.
    package static let maxBytes = 64 * 1024

    /// `isCut`: the reply went on past what the client read of it.
    package static func line(status: Int, reply: [UInt8], isCut: Bool) -> String {
        var message = Substring(String(decoding: reply, as: UTF8.self))
        if message.hasPrefix("Error: ") { message = message.dropFirst(7) }
        while message.last == "\n" { message = message.dropLast() }
        guard !message.isEmpty else { return "the server answered \(status)" }
        let shown = message.unicodeScalars.map { $0.isEscapedAsCode ? String($0).escaping { String($0) } : String($0) }.joined()
        return isCut ? shown + "… (cut at \(maxBytes) bytes)" : shown
    }
}
