/// Where the server's log lines go (stderr), written once per loop iteration.
///
/// Each job makes a few info lines (queued, started, ended), and a write(2)
/// for each was one system call in six of an async submit's. So lines wait,
/// in order, for the end of the loop iteration that made them and go out in
/// one write; a line of level notice or above writes them and itself at once,
/// as does any line while no loop is attached (start-up, shutdown) or once
/// 64 KB wait (a bulk submit). A server killed with SIGKILL loses at most its
/// last iteration's info lines.
package final class LogOutput: @unchecked Sendable {  // used from the server's one thread
    package static let standardError = LogOutput(fd: 2)

    private static let maxPending = 65_536
    private let fd: Int32
    private var pending: [UInt8] = []
    private var flushEvent: Event?

    package init(fd: Int32) {
        self.fd = fd
    }

    /// From now on, lines below notice wait for the end of `loop`'s iteration.
    package func writeOncePerIteration(on loop: EventLoop) {
        flushEvent = loop.deferredEvent { [unowned self] in self.flush() }
    }

    /// Writes what waits, and each line at once from now on (the loop has ended).
    package func detach() {
        flush()
        flushEvent = nil
    }

    package func write(_ line: [UInt8], urgent: Bool) {
        let wasEmpty = pending.isEmpty
        pending += line
        guard !urgent, pending.count < LogOutput.maxPending, let flushEvent else {
            flush()
            return
        }
        if wasEmpty { flushEvent.activate() }
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        _ = writeAll(pending, to: fd)
        pending.removeAll(keepingCapacity: true)
    }
}
