/// The Server-Sent Events wire format (WHATWG HTML, "Server-sent events").
package enum EventStreamText {
    /// One event: `id:`, `event:` and one `data:` line of JSON, then a blank line.
    /// Serialized JSON escapes every control character, so it holds no newline.
    package static func event(id: UInt64, name: String, data: JSON) -> String {
        "id: \(id)\nevent: \(name)\ndata: \(data.serialized())\n\n"
    }

    /// Tells a client that what it missed is gone: reload the state, then follow on.
    /// Its id is the latest, so a client that reconnects after it resumes from here.
    package static func reset(lastID: UInt64) -> String {
        event(id: lastID, name: "reset", data: .object([]))
    }

    /// A comment line, which clients ignore: it keeps idle proxies from closing the stream.
    package static let keepAlive = ": keep-alive\n\n"

    /// `Last-Event-ID` (evhttp has trimmed it): a decimal event id; nil for anything else.
    package static func lastEventID(_ header: String?) -> UInt64? {
        guard let header, !header.isEmpty, header.utf8.count <= 20, header.utf8.allSatisfy(isASCIIDigit) else { return nil }
        return UInt64(header)
    }
}
