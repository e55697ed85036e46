import CPOSIX
import Glibc

/// Gives the heap memory a burst freed back to the system. glibc keeps freed
/// memory for reuse, and after a burst (a thousand `/events` clients that
/// never read, a big batch) the server's RSS stayed 50–160 MB above where it
/// started for good. Every `period` seconds, when more than `threshold`
/// bytes lie free in the heap, `malloc_trim` returns them.
package final class FreedMemory {
    package static let period = 10.0
    package static let threshold = 32 << 20
    private let loop: EventLoop
    private var timer: Event?

    package init(loop: EventLoop) {
        self.loop = loop
        arm()
    }

    private func arm() {
        timer = loop.timer(after: FreedMemory.period) { [unowned self] in
            if mallinfo2().fordblks > FreedMemory.threshold { malloc_trim(0) }
            arm()
        }
    }
}
