import CLibEvent
import Glibc
import JobSchedModel

/// The one libevent `event_base` that everything in the server runs on.
///
/// Every callback (HTTP requests, child exits, signals, output pipes, timers)
/// is dispatched from `run()` on the calling thread, so the rest of the server
/// needs no locks.
public final class EventLoop {
    package let base: OpaquePointer

    public init() throws(ServerError) {
        // epoll's changelist: the adds and deletes made to one descriptor within
        // a loop iteration become one epoll_ctl (a request's read-off, read-on,
        // write-on and write-off: 4 calls became 2). libevent warns it is unsafe
        // only with descriptors cloned by dup(), whose epoll registration outlives
        // a close: none of the server's are, and a job gets none of them (its
        // spawn closes them all before exec, the server suspended meanwhile).
        let config = event_config_new()
        defer { event_config_free(config) }
        event_config_set_flag(config, Int32(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST.rawValue))
        guard let base = event_base_new_with_config(config) else {
            throw ServerError("cannot create the libevent event base")
        }
        self.base = base
    }

    deinit { event_base_free(base) }

    /// Runs until `exit` is called or no events are left.
    public func run() { event_base_dispatch(base) }

    /// Stops `run()` once `seconds` have passed, letting pending writes flush.
    package func exit(after seconds: Double) {
        var tv = timeval(seconds: seconds)
        event_base_loopexit(base, &tv)
    }

    /// A persistent event that fires whenever `signal` is delivered.
    package func onSignal(_ signal: Signal, _ handler: @escaping () -> Void) -> Event {
        let event = Event(loop: self, fd: signal.rawValue, flags: Int16(EV_SIGNAL | EV_PERSIST), handler: handler)
        event.add()
        return event
    }

    /// A persistent event that fires while `fd` is readable; call `add()` to arm it.
    package func readEvent(fd: Int32, _ handler: @escaping () -> Void) -> Event {
        Event(loop: self, fd: fd, flags: Int16(EV_READ | EV_PERSIST), handler: handler)
    }

    /// A one-shot timer, already armed; drop or `remove()` it to cancel.
    package func timer(after seconds: Double, _ handler: @escaping () -> Void) -> Event {
        let event = Event(loop: self, fd: -1, flags: 0, handler: handler)
        event.add(timeout: seconds)
        return event
    }

    /// An event with no fd, fired by `activate()`: used to run work once, after
    /// the callbacks already due in this loop iteration; or, once added with a
    /// timeout, when that runs out, whichever comes first.
    package func deferredEvent(_ handler: @escaping () -> Void) -> Event {
        Event(loop: self, fd: -1, flags: 0, handler: handler)
    }
}

/// One libevent `event`, owning the Swift closure it calls.
///
/// The event is freed when this object is released, so whoever keeps the
/// `Event` decides how long it lives; releasing it from inside its own
/// callback is safe.
package final class Event {
    private var raw: OpaquePointer?
    private let handler: () -> Void
    /// Keeps the event base alive until its last event is freed.
    private let loop: EventLoop

    package init(loop: EventLoop, fd: Int32, flags: Int16, handler: @escaping () -> Void) {
        self.handler = handler
        self.loop = loop
        raw = event_new(loop.base, fd, flags, { _, _, arg in
            let event = Unmanaged<Event>.fromOpaque(arg!).takeUnretainedValue()
            withExtendedLifetime(event) { event.handler() }
        }, Unmanaged.passUnretained(self).toOpaque())
        precondition(raw != nil, "event_new failed")
    }

    deinit { event_free(raw) }

    package func add(timeout seconds: Double? = nil) {
        if let seconds {
            var tv = timeval(seconds: seconds)
            event_add(raw, &tv)
        } else {
            event_add(raw, nil)
        }
    }

    package func remove() { event_del(raw) }

    /// Runs the handler in the current loop iteration, after the callbacks
    /// that are already active.
    package func activate() { event_active(raw, 0, 0) }
}

extension timeval {
    package init(seconds: Double) {
        let whole = seconds.rounded(.down)
        self.init(tv_sec: Int(whole), tv_usec: Int((seconds - whole) * 1_000_000))
    }
}
