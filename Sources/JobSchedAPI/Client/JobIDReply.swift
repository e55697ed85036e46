import JobSchedModel

/// The reply that carries a job's id: an async `/submit`'s or a `/restart`'s
/// whole reply, a sync `/submit`'s first line. Read strictly, so that the
/// client never prints something else as an id.
package enum JobIDReply {
    /// The id's digits and a newline: the longest reply that can be one.
    package static let maxBytes = 20

    /// The id in `reply`, which is its decimal digits and maybe a newline.
    package static func id(_ reply: ArraySlice<UInt8>) throws(BadReply) -> JobID {
        let digits = reply.last == UInt8(ascii: "\n") ? reply.dropLast() : reply
        guard !digits.isEmpty, digits.count < maxBytes, digits.allSatisfy(isASCIIDigit),
              let id = JobID(String(decoding: digits, as: UTF8.self)), id > 0 else {
            throw BadReply("expected a job id, got \(Excerpt.quoted(String(decoding: reply, as: UTF8.self)))")
        }
        return id
    }
}
