import Glibc

/// Reads a job's output pipe as data arrives and hands it on.
final class OutputPump {
    private let fd: Int32
    private var readEvent: Event?
    private let deliver: (UnsafeRawBufferPointer) -> Void
    private var isPaused = false
    /// Reused for every read: one pipe's worth of data.
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// Most bytes read per wake-up: a job that writes without pause must not
    /// keep the loop from everything else (the event fires again next round).
    private static let bytesPerWakeup = 256 * 1024

    init(loop: EventLoop, fd: Int32, deliver: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.fd = fd
        self.deliver = deliver
        readEvent = loop.readEvent(fd: fd) { [unowned self] in self.readAvailable(upTo: OutputPump.bytesPerWakeup) }
        readEvent?.add()
    }

    deinit { close() }

    /// Stops reading (back-pressure), at once, even within a wake-up: the job
    /// blocks once the pipe is full.
    func pause() {
        isPaused = true
        readEvent?.remove()
    }

    func resume() {
        isPaused = false
        readEvent?.add()
    }

    /// Delivers what is in the pipe now (its buffer's worth, not what other
    /// writers may still add), then closes it.
    func drainAndClose() {
        isPaused = false
        readAvailable(upTo: 1 << 20)
        close()
    }

    func close() {
        guard let event = readEvent else { return }
        event.remove()
        readEvent = nil
        Glibc.close(fd)
    }

    private func readAvailable(upTo limit: Int) {
        var total = 0
        while readEvent != nil, !isPaused, total < limit {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                total += n
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
