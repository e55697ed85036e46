import Glibc

/// What the command-line client asks of the terminal it prints to.
package enum Terminal {
    /// Colour only for a person at a terminal: not into a pipe or a file, and
    /// not when NO_COLOR is set (no-color.org) or TERM says it cannot.
    package static func wantsColor(_ fd: Int32) -> Bool {
        guard isatty(fd) == 1, environmentVariable("NO_COLOR") == nil else { return false }
        return environmentVariable("TERM").map { $0 != "dumb" } ?? false
    }
}
