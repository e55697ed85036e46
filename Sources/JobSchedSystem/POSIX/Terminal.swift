import Glibc

/// What the command-line client asks of the terminal it prints to.
package enum Terminal {
    /// Colour only for a person at a terminal: not into a pipe or a file, and
    /// not when NO_COLOR is set (no-color.org) or TERM says it cannot.
    /// How many columns the terminal `fd` is on has; nil when it is not one (a pipe: lines at full width).
    package static func columns(_ fd: Int32) -> Int? {
        guard isatty(fd) == 1 else { return nil }
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    package static func wantsColor(_ fd: Int32) -> Bool {
        guard isatty(fd) == 1, environmentVariable("NO_COLOR") == nil else { return false }
        return environmentVariable("TERM").map { $0 != "dumb" } ?? false
    }
}
