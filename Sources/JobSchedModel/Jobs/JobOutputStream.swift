/// Which of a job's output a reader asks for, and which the spool keeps.
package enum JobOutputStream: String, CaseIterable {
    /// stdout and stderr together, as they arrived.
    case both, stdout, stderr

    package var fileSuffix: String { self == .both ? "out" : rawValue }
}
