import JobSchedModel
import JobSchedSystem

/// Someone reading a job's output as it comes: a sync submit's client or
/// an `/output?follow=1` client.
package protocol OutputClient: AnyObject {
    var isOpen: Bool { get }
    /// Bytes accepted but not yet written to the client.
    var unsentBytes: Int { get }
    /// Sends bytes; `whenFlushed` runs once they are all written.
    func send(_ bytes: UnsafeRawBufferPointer, whenFlushed: (() -> Void)?)
    /// Sends bytes that other clients are sent too, without a copy for each.
    func send(_ shared: SharedBytes)
    func send(_ text: String)
    /// Ends the reply.
    func endStream()
}

extension HTTPRequest: OutputClient {}

extension OutputClient {
    /// Ends the reply with the job's status line, as a sync submit's ends,
    /// on a line of its own.
    package func endStream(with job: Job, sawNewline: Bool) {
        if !sawNewline { send("\n") }
        send("jobsched: " + TextTable.statusLine(job) + "\n")
        endStream()
    }
}
