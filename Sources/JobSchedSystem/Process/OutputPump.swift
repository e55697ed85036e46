import Glibc
import JobSchedModel

/// Reads a job's output pipe as data arrives and hands it on.
package final class OutputPump {
    /// Memory that every pump reads into: one pipe's worth of data. One is
    /// enough for the whole server: each read's bytes are handed on (and
    /// copied by whoever keeps them) before the next read, all on one thread.
    /// A buffer per pump cost an allocation and a 64 KiB memset per job.
    package final class Buffer {
        package init() {}
        package let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        deinit { bytes.deallocate() }
    }

    private let fd: Int32
    private var readEvent: Event?
    private let buffer: Buffer
    private let deliver: (UnsafeRawBufferPointer) -> Void
    private var isPaused = false
    /// Most bytes read per wake-up: a job that writes without pause must not
    /// keep the loop from everything else (the event fires again next round).
    private static let bytesPerWakeup = 256 * 1024

    package init(loop: EventLoop, fd: Int32, buffer: Buffer, deliver: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.fd = fd
        self.buffer = buffer
        self.deliver = deliver
        readEvent = loop.readEvent(fd: fd) { [unowned self] in self.readAvailable(upTo: OutputPump.bytesPerWakeup) }
        readEvent?.add()
    }

    deinit { close() }

    /// Stops reading (back-pressure), at once, even within a wake-up: the job
    /// blocks once the pipe is full.
    package func pause() {
        isPaused = true
        readEvent?.remove()
    }

    package func resume() {
        isPaused = false
        readEvent?.add()
    }

    /// Delivers what is in the pipe now (its buffer's worth, not what other
    /// writers may still add), then closes it.
    package func drainAndClose() {
        isPaused = false
        readAvailable(upTo: 1 << 20)
        close()
    }

    package func close() {
        guard let event = readEvent else { return }
        event.remove()
        readEvent = nil
        Glibc.close(fd)
    }

    private func readAvailable(upTo limit: Int) {
        var total = 0
        while readEvent != nil, !isPaused, total < limit {
            let bytes = buffer.bytes
            let n = read(fd, bytes.baseAddress, bytes.count)
            if n > 0 {
                total += n
                deliver(UnsafeRawBufferPointer(rebasing: bytes[..<n]))
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                if n == 0 || errno != EAGAIN { close() }  // EOF: every writer is gone
                return
            }
        }
    }
}
