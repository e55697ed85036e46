import Glibc

/// Reads a job's output pipe as data arrives and hands it on.
final class OutputPump {
    private let fd: Int32
    private var readEvent: Event?
    private let deliver: (UnsafeRawBufferPointer) -> Void
    /// Reused for every read: one pipe's worth of data.
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(loop: EventLoop, fd: Int32, deliver: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.fd = fd
        self.deliver = deliver
        readEvent = loop.readEvent(fd: fd) { [unowned self] in self.readAvailable() }
        readEvent?.add()
    }

    deinit { close() }

    /// Stops reading (back-pressure): the job blocks once the pipe is full.
    func pause() { readEvent?.remove() }
    func resume() { readEvent?.add() }

    /// Delivers what is in the pipe now, without waiting for other writers, then closes it.
    func drainAndClose() {
        readAvailable()
        close()
    }

    func close() {
        guard let event = readEvent else { return }
        event.remove()
        readEvent = nil
        Glibc.close(fd)
    }

    private func readAvailable() {
        while readEvent != nil {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.withUnsafeBytes { deliver(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                if n == 0 || errno != EAGAIN { close() }  // EOF: every writer is gone
                return
            }
        }
    }
}
