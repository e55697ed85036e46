import Glibc
import JobSchedModel

/// Runs short commands (`sbatch`, `squeue`, `scancel`, `--on-finish` hooks)
/// without making the event loop wait: each is a child whose stdout and
/// stderr are read on the loop (the last `keptBytes` of each are kept), and
/// whose end comes from the server's SIGCHLD reaping, like a job's.
package final class CommandRunner {
    /// What a finished command did.
    package struct Result {
        package let termination: Termination
        package let stdout: String
        package let stderr: String

        package var succeeded: Bool { termination == .exited(0) }

        /// What went wrong, in one line: its stderr's last line, or how it ended.
        package var failure: String {
            let lines = stderr.split(separator: "\n")
            if let last = lines.last { return String(last) }
            return "returncode \(termination.returncode)"
        }
    }

    /// What is kept of each stream of a command: its end (the reply of squeue
    /// is far smaller; a hook that prints without end must not grow the server).
    package static let keptBytes = 1 << 20

    private final class Running {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []

        static func keep(_ bytes: UnsafeRawBufferPointer, in kept: inout [UInt8]) {
            kept += bytes
            if kept.count > 2 * CommandRunner.keptBytes { kept.removeFirst(kept.count - CommandRunner.keptBytes) }
        }

        var pumps: [OutputPump] = []
        let completion: (Result) -> Void

        init(completion: @escaping (Result) -> Void) { self.completion = completion }
    }

    /// How much less CPU time the commands get than the server when both want it.
    private static let niceness: Int32 = 10

    private let loop: EventLoop
    private let buffer = OutputPump.Buffer()
    private var running: [pid_t: Running] = [:]

    package init(loop: EventLoop) {
        self.loop = loop
    }

    /// Commands started and not yet reaped.
    package var count: Int { running.count }

    /// Starts `arguments` (looked up in PATH) with `environment` added to
    /// `base` (the server's by default); `completion` gets its output once it
    /// has exited. Its pid, which leads a process group of its own.
    @discardableResult
    package func run(_ arguments: [String], environment: [String] = [], base: BaseEnvironment = .server,
                     completion: @escaping (Result) -> Void) throws(LaunchError) -> pid_t {
        let launched = try ProcessLauncher.launch(arguments: arguments, environment: environment, base: base,
                                                  stdout: .ownPipe, stderr: .ownPipe)
        guard let pid = launched.pid else { preconditionFailure("a process the server starts itself has its pid at once") }
        let process = (pid: pid, stdoutFD: launched.stdoutFD, stderrFD: launched.stderrFD)
        // A burst of them (sbatch for a thousand jobs) would take both cores
        // from the event loop: they yield to it. (Set once started: posix_spawn
        // has no attribute for it; a moment at full priority does no harm.)
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(process.pid), CommandRunner.niceness)
        let command = Running(completion: completion)
        if let fd = process.stdoutFD {
            command.pumps.append(OutputPump(loop: loop, fd: fd, buffer: buffer) { [unowned command] in Running.keep($0, in: &command.stdout) })
        }
        if let fd = process.stderrFD {
            command.pumps.append(OutputPump(loop: loop, fd: fd, buffer: buffer) { [unowned command] in Running.keep($0, in: &command.stderr) })
        }
        running[process.pid] = command
        return process.pid
    }

    /// A child the server reaped; false if it is not one of these commands.
    package func reaped(_ pid: pid_t, _ termination: Termination) -> Bool {
        guard let command = running.removeValue(forKey: pid) else { return false }
        command.pumps.forEach { $0.drainAndClose() }
        command.completion(Result(termination: termination, stdout: String(decoding: command.stdout.suffix(CommandRunner.keptBytes), as: UTF8.self),
                                  stderr: String(decoding: command.stderr.suffix(CommandRunner.keptBytes), as: UTF8.self)))
        return true
    }
}
