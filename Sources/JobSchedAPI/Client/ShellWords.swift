/// Turns the words after `jobsched add --` back into one bash line.
///
/// The user's shell has already split, unquoted and expanded what they typed;
/// each word is quoted again, where it needs it, so that `bash -c` splits the
/// line into the same words: `jobsched add -- grep "a b" file` searches for
/// `a b`. A single word is taken as a bash line as it is, so that
/// `jobsched add 'make && make test'` keeps its `&&`.
package enum ShellWords {
    package static func commandLine(_ words: [String]) -> String {
        words.count == 1 ? words[0] : words.map(quoted).joined(separator: " ")
    }

    /// The word as it is when bash would read it back unchanged, else in single
    /// quotes (where only `'` itself needs care: `'\''`).
    package static func quoted(_ word: String) -> String {
        if !word.isEmpty && word.unicodeScalars.allSatisfy(isPlain) { return word }
        return "'" + word.replacing("'", with: "'\\''") + "'"
    }

    /// Characters bash gives no meaning to inside a word. `=` stays plain so
    /// that a leading `NAME=VALUE` still sets a variable, as it would typed.
    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ":", "=", "@", "%", "+", ",": return true
        default: return false
        }
    }
}
