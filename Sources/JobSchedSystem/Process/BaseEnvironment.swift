import Glibc
import JobSchedModel

/// The environment jobs start from, kept as C strings so that a spawn copies
/// pointers instead of rebuilding every entry (which took an eighth of the
/// server's time per job with a few dozen variables).
package final class BaseEnvironment: @unchecked Sendable {  // immutable after init
    /// The server's own environment, read once: it does not change while the
    /// server runs (JOBSCHED_TOKEN is removed before it starts).
    package static let server = BaseEnvironment(entries: current())

    /// This process's environment now.
    package static func current() -> [String] {
        var entries: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            entries.append(String(cString: pointer))
            entry += 1
        }
        return entries
    }

    private let pointers: [UnsafeMutablePointer<CChar>?]
    private let indicesByName: [Substring: [Int]]

    package init(entries: [String]) {
        pointers = entries.map { strdup($0) }
        indicesByName = Dictionary(grouping: entries.indices) { BaseEnvironment.name(of: entries[$0]) }
    }

    deinit { pointers.forEach { free($0) } }

    /// Calls `body` with a NULL-terminated `envp`: these entries, with `extra`
    /// added after them, replacing every entry of the same name.
    package func withEnvironment<T>(adding extra: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
        // Usually none: jobs rarely set a variable the server has.
        let replaced = extra.flatMap { indicesByName[BaseEnvironment.name(of: $0)] ?? [] }
        let added = extra.map { strdup($0) }
        defer { added.forEach { free($0) } }
        var envp: [UnsafeMutablePointer<CChar>?] = []
        envp.reserveCapacity(pointers.count + added.count + 1)
        for (index, pointer) in pointers.enumerated() where !replaced.contains(index) { envp.append(pointer) }
        envp += added
        envp.append(nil)
        return body(envp)
    }

    /// The entries `withEnvironment` passes, as strings.
    package func entries(adding extra: [String]) -> [String] {
        withEnvironment(adding: extra) { envp in envp.compactMap { $0.map { String(cString: $0) } } }
    }

    package static func name(of entry: String) -> Substring { SubmittedEnvironment.name(of: entry) }
}
