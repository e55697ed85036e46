import Glibc
import JobSchedModel
import Logging

/// The directory where jobsched keeps job output that goes to no file of the
/// user's: per job, both streams in arrival order, and each stream alone when
/// the job's streams were read apart.
package struct Spool {
    package let directory: String
    /// Each file keeps this many of its last bytes (while a job runs, a little
    /// more is written before the file is cut, but never shown).
    package let maxBytes: Int
    /// Where output that could not be kept is reported.
    package let logger: Logger

    /// Opens the spool of the database whose identity is `database`. A spool
    /// that held another database's output (the database was made anew, or
    /// `--clear`ed: job ids start from 1 again) is emptied first, so that no
    /// job ever shows another's output. `databaseStartsEmpty`: its job table
    /// is new or cleared, so an unmarked spool cannot be its own.
    package init(directory: String, maxBytes: Int, database: String, databaseStartsEmpty: Bool,
                 logger: Logger) throws(ServerError) {
        try makeDirectory(directory, label: "spool directory")
        self.directory = directory
        self.maxBytes = maxBytes
        self.logger = logger
        let mark = directory + "/.database"
        let owner = (try? readWholeFile(mark)).map { String(decoding: $0, as: UTF8.self) }
        guard owner != database else { return }
        // Unmarked, beside jobs: written by a jobsched from before the mark, for this database.
        if owner != nil || databaseStartsEmpty {
            let removed = removeJobFiles()
            if removed > 0 { logger.notice("spool directory \(directory) held another database's output: removed \(removed) files") }
        }
        do {
            try writeWholeFile(mark, database, mode: 0o600)
        } catch {
            throw ServerError("cannot write '\(mark)': \(error)")
        }
    }

    /// Job output files are named `ID.out`, `ID.stdout`, `ID.stderr`: the
    /// job's id, or nil for another file.
    private static func jobID(ofFile name: String) -> JobID? {
        guard let dot = name.utf8.firstIndex(of: UInt8(ascii: ".")), dot != name.utf8.startIndex,
              name.utf8[..<dot].allSatisfy(isASCIIDigit) else { return nil }
        let suffix = Substring(name.utf8[name.utf8.index(after: dot)...])
        guard JobOutputStream.allCases.contains(where: { suffix == $0.fileSuffix }) else { return nil }
        return JobID(Substring(name.utf8[..<dot]))
    }

    /// Removes every job file; how many.
    private func removeJobFiles() -> Int {
        var removed = 0
        for name in directoryEntries(directory) where Spool.jobID(ofFile: name) != nil {
            if unlink(directory + "/" + name) == 0 { removed += 1 }
        }
        return removed
    }

    package func path(_ id: JobID, _ stream: JobOutputStream) -> String { "\(directory)/\(id).\(stream.fileSuffix)" }

    /// The kept output, or nil if there is no such file.
    package func read(_ id: JobID, _ stream: JobOutputStream) -> [UInt8]? {
        let fd = openFile(id, stream)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return (try? readToEnd(fd)).map { Spool.kept($0, maxBytes: maxBytes) }
    }

    /// The last `bytes` (at most) of a stream's kept output; none if it has no file.
    package func tail(_ id: JobID, _ stream: JobOutputStream, bytes: Int) -> [UInt8] {
        guard let kept = open(id, stream) else { return [] }
        defer { close(kept.fd) }
        let count = min(bytes, kept.length)
        var tail = [UInt8](repeating: 0, count: count)
        let read = tail.withUnsafeMutableBytes { pread(kept.fd, $0.baseAddress, count, off_t(kept.offset + kept.length - count)) }
        return Array(tail.prefix(max(0, read)))
    }

    /// Where the kept output is in its file, to be read a part at a time
    /// (`FileReply`): what `read` gives is `prefix`, then `length` bytes of
    /// the file open as `fd` from `offset`. The caller closes `fd`.
    package struct KeptOutput {
        package let fd: Int32
        package let prefix: [UInt8]
        package let offset: Int
        package let length: Int
        /// The output's last byte, if it has one.
        package let lastByte: UInt8?
    }

    /// The kept output's place in its file, or nil if there is no such file.
    package func open(_ id: JobID, _ stream: JobOutputStream) -> KeptOutput? {
        let fd = openFile(id, stream)
        guard fd >= 0 else { return nil }
        var info = stat()
        fstat(fd, &info)
        let size = Int(info.st_size)
        let marker = Spool.cutMarker(maxBytes: maxBytes)
        var head = [UInt8](repeating: 0, count: min(size, marker.count))
        _ = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        var last: UInt8 = 0
        let lastByte = size > 0 && pread(fd, &last, 1, off_t(size - 1)) == 1 ? last : nil
        // As `kept`: past `maxBytes` of output, the cut line and the last `maxBytes` bytes.
        let outputStart = head == marker ? marker.count : 0
        guard size - outputStart > maxBytes else {
            return KeptOutput(fd: fd, prefix: [], offset: 0, length: size, lastByte: lastByte)
        }
        return KeptOutput(fd: fd, prefix: marker, offset: size - maxBytes, length: maxBytes, lastByte: lastByte)
    }

    /// Opens the file that holds a stream's kept output; -1 if there is none.
    /// A job's two streams together are in the one stream's file when only
    /// that one had output (`SpoolWriter.finish` removes the copy).
    private func openFile(_ id: JobID, _ stream: JobOutputStream) -> Int32 {
        let fd = Glibc.open(path(id, stream), O_RDONLY | O_CLOEXEC)
        guard fd < 0, stream == .both else { return fd }
        let stdout = Glibc.open(path(id, .stdout), O_RDONLY | O_CLOEXEC)
        let stderr = Glibc.open(path(id, .stderr), O_RDONLY | O_CLOEXEC)
        guard stdout < 0 || stderr < 0 else {
            close(stdout)
            close(stderr)
            return -1
        }
        return max(stdout, stderr)
    }

    /// What is kept of a file's content: all of it up to `maxBytes` bytes of
    /// output; past that, a line that marks the cut, then the last `maxBytes`
    /// bytes. A file cut before starts with that line, which is not output.
    package static func kept(_ content: [UInt8], maxBytes: Int) -> [UInt8] {
        let marker = cutMarker(maxBytes: maxBytes)
        let output = content.starts(with: marker) ? content[marker.count...] : content[...]
        guard output.count > maxBytes else { return content }
        return marker + output.suffix(maxBytes)
    }

    package static func cutMarker(maxBytes: Int) -> [UInt8] {
        Array("jobsched: output cut: only the last \(maxBytes) bytes are kept\n".utf8)
    }

    package func remove(_ id: JobID) {
        for stream in JobOutputStream.allCases { unlink(path(id, stream)) }
    }

    /// Up to this many jobs, their files are removed by name.
    static let removalsByName = 64

    /// Removes the files of the jobs in `ids` in steps: a step to call until it
    /// returns false. A few jobs' files go by name in one step; many jobs' in a
    /// sweep of the directory, `namesPerStep` names a step (most jobs print
    /// nothing and have no file: trying their three names each took 3 s of a
    /// `/clean` of 300,000 jobs, and one pass over a big directory at once holds the loop).
    package func removal(of ids: IDRanges, namesPerStep: Int = 4096) -> () -> Bool {
        guard ids.count > Spool.removalsByName else {
            return { [self] in
                ids.ranges.forEach { $0.forEach(remove) }
                return false
            }
        }
        let reader = DirectoryReader(directory)
        return { [directory] in
            guard let names = reader.next(namesPerStep) else { return false }
            for name in names {
                if let id = Spool.jobID(ofFile: name), ids.contains(id) { unlink(directory + "/" + name) }
            }
            return true
        }
    }
}
