/// How a job's run ended, as its executor reports it.
package enum Termination: Equatable {
    case exited(Int32)
    case signaled(Int32)

    /// The original's convention: the exit code, or -N for signal N.
    package var returncode: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return -signal
        }
    }
}
