import Glibc
import JobSchedModel

/// The text of a C string held in an array (up to its NUL).
package func text(ofCString chars: [CChar]) -> String {
    String(decoding: chars.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The text of the last failed system call's `errno`, for error messages.
package func errnoText() -> String { String(cString: strerror(errno)) }

/// A system call that failed, with the reason `strerror` gives.
package struct SystemCallError: Error, CustomStringConvertible {
    package let description: String
}

/// A file's bytes, read to its end (also /proc files, whose size says 0).
package func readWholeFile(_ path: String) throws(SystemCallError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SystemCallError(description: errnoText()) }
    defer { close(fd) }
    return try readToEnd(fd)
}

/// The bytes of an open file from where it is to its end.
package func readToEnd(_ fd: Int32) throws(SystemCallError) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16 * 1024)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { throw SystemCallError(description: errnoText()) }
        if n == 0 { return bytes }
        bytes += chunk[..<n]
    }
}

/// Creates or replaces a file (mode 0700) with `text`.
package func writeWholeFile(_ path: String, _ text: String, mode: mode_t = 0o700) throws(SystemCallError) {
    try writeWholeFile(path, bytes: Array(text.utf8), mode: mode)
}

/// Creates or replaces a file with `bytes`.
package func writeWholeFile(_ path: String, bytes: [UInt8], mode: mode_t) throws(SystemCallError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard fd >= 0 else { throw SystemCallError(description: errnoText()) }
    defer { close(fd) }
    guard writeAll(bytes, to: fd) else { throw SystemCallError(description: errnoText()) }
}

/// The names in a directory (not `.` and `..`); none if it cannot be read.
package func directoryEntries(_ path: String) -> [String] {
    DirectoryReader(path).next(Int.max) ?? []
}

/// A directory read some names at a time: a huge one is read between other work.
package final class DirectoryReader {
    private let directory: OpaquePointer?

    /// A directory that cannot be read reads as empty.
    package init(_ path: String) { directory = opendir(path) }

    deinit { if let directory { closedir(directory) } }

    /// Up to `count` more names (not `.` and `..`); nil once all have been read.
    package func next(_ count: Int) -> [String]? {
        guard let directory else { return nil }
        var names: [String] = []
        while names.count < count, let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.isEmpty && count > 0 ? nil : names
    }
}

/// The bytes a file takes on disk (what `du` counts); 0 if there is no such file.
package func diskUsage(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_blocks) * 512 : 0
}

/// Removes a file if it is there.
package func removeFile(_ path: String) { unlink(path) }

/// Creates a directory (mode 0700) unless it exists; `label` names it in errors.
package func makeDirectory(_ path: String, label: String) throws(ServerError) {
    if mkdir(path, 0o700) != 0 && errno != EEXIST {
        throw ServerError("cannot create \(label) '\(path)': \(errnoText())")
    }
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
        throw ServerError("\(label) '\(path)' is not a directory")
    }
}

/// Writes all of `text` and a newline to a descriptor (1 or 2), unbuffered.
package func writeLine(_ text: String, to fd: Int32) {
    var line = text + "\n"
    line.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
}

/// The value of an environment variable.
package func environmentVariable(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

/// The value of an environment variable, removed from the environment so
/// that the processes started later do not inherit it.
package func takeEnvironmentVariable(_ name: String) -> String? {
    guard let value = environmentVariable(name) else { return nil }
    defer { unsetenv(name) }
    return value
}

/// The absolute, symlink-free form of an existing path, or nil.
package func realPath(_ path: String) -> String? {
    realpath(path, nil).map { resolved in
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// This process's working directory (the server never changes it).
package func currentDirectory() -> String? {
    getcwd(nil, 0).map { path in
        defer { free(path) }
        return String(cString: path)
    }
}

/// Writes all of `bytes` to a descriptor; false if it cannot (a closed pipe).
@discardableResult
package func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return false }
        offset += n
    }
    return true
}
