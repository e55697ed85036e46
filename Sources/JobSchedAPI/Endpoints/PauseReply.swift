/// What `/pause` and `/resume` answer. Naming a group no job has used yet is
/// accepted (a group may be paused before its jobs arrive) but said, so that
/// a typo does not pause nothing without a word: the client prints that line on stderr.
package enum PauseReply {
    private static let unusedNote = ": no job has used it yet"

    /// `Paused group build`, `Resumed all groups`, `Paused group nosuchgroup: no job has used it yet`.
    package static func message(paused: Bool, target: String, groupIsUnused: Bool) -> String {
        "\(paused ? "Paused" : "Resumed") \(target)" + (groupIsUnused ? unusedNote : "")
    }

    /// Whether a line of the reply is the note about an unused group.
    package static func isUnusedGroupNote(_ line: some Collection<UInt8>) -> Bool {
        line.count >= unusedNote.utf8.count && line.suffix(unusedNote.utf8.count).elementsEqual(unusedNote.utf8)
    }
}
