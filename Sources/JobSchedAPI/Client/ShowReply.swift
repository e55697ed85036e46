/// `show`'s reply, passed through as it comes, except the reply that means
/// there is no such job (nothing as text, `{"jobs": []}` as JSON): held while
/// it may still turn out to be that one, which is never more than 13 bytes.
package struct ShowReply {
    private let noJob: [UInt8]
    private var held: [UInt8] = []
    private var passing = false

    package init(json: Bool) {
        noJob = json ? Array("{\"jobs\": []}\n".utf8) : []
    }

    /// Takes the next bytes of the body; returns what is surely the job's record.
    package mutating func take(_ bytes: [UInt8]) -> [UInt8] {
        guard !passing else { return bytes }
        held += bytes
        if held.count <= noJob.count && noJob.starts(with: held) { return [] }
        passing = true
        defer { held = [] }
        return held
    }

    /// At the end of the body: whether it never became more than the reply for no job.
    package var isNoSuchJob: Bool { !passing }
}
