import Glibc

/// Ends the process with `status` at once: the client's way out, which
/// needs none of the work swift-argument-parser's exit does to build a
/// message for a status it will not print.
package func exitProcess(_ status: Int32) -> Never {
    exit(status)
}
