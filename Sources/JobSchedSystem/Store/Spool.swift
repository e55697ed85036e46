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
        (try? readWholeFile(path(id, stream))).map { Spool.kept($0, maxBytes: maxBytes) }
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
        let fd = Glibc.open(path(id, stream), O_RDONLY | O_CLOEXEC)
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

/// Appends one job's output to its spool files, keeping each file near the cap.
///
/// A file is created with the first byte of its stream: most short jobs print
/// nothing, and creating files is the costliest part of starting one.
///
/// Output that cannot be written (a full disk, the file-size limit, the spool
/// directory removed) is counted, never dropped without a word: the first
/// loss is logged, a line marks the gap where writing starts again, and
/// `loss` tells the runner, which says it in the job's `msg`.
package final class SpoolWriter {
    private struct File {
        var fd: Int32
        var size: Int
        /// Bytes lost since the last gap marker, and why the first of them was.
        var unmarked = 0
        var unmarkedReason = ""
        /// Bytes lost in all.
        var lost = 0
    }

    private let spool: Spool
    private let id: JobID
    private let streams: [JobOutputStream]
    private var files: [JobOutputStream: File] = [:]
    /// Bytes of a stream whose file could not even be opened, lost in all.
    private var lostUnopened: [JobOutputStream: Int] = [:]
    /// The output not kept, if any.
    package private(set) var loss: OutputLoss?

    package init(spool: Spool, id: JobID, streams: [JobOutputStream]) {
        self.spool = spool
        self.id = id
        self.streams = streams
    }

    deinit { files.values.forEach { close($0.fd) } }

    /// The stream's open file, created at its first byte; nil (and the reason) if it cannot be.
    private func file(_ stream: JobOutputStream) -> Result<File, LossReason>? {
        if let file = files[stream] { return .success(file) }
        guard streams.contains(stream) else { return nil }
        // O_RDWR: the tail is read back when compacting. A retry appends to the earlier runs' output.
        var fd = open(spool.path(id, stream), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if fd < 0 && errno == ENOENT {
            // Someone removed the spool directory: every later job would lose its output.
            do {
                try makeDirectory(spool.directory, label: "spool directory")
                spool.logger.warning("the spool directory \(spool.directory) had been removed: created it again")
            } catch {
                spool.logger.error("\(error)")
            }
            fd = open(spool.path(id, stream), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { return .failure(LossReason(errno: errno)) }
        var info = stat()
        fstat(fd, &info)
        let file = File(fd: fd, size: Int(info.st_size))
        files[stream] = file
        return .success(file)
    }

    package func append(_ bytes: UnsafeRawBufferPointer, to stream: JobOutputStream) {
        guard !bytes.isEmpty, let opened = file(stream) else { return }
        guard case .success(var file) = opened else {
            if case .failure(let reason) = opened {
                lostUnopened[stream, default: 0] += bytes.count
                lose(bytes.count, reason: reason, stream: stream, total: lostUnopened[stream]!)
            }
            return
        }
        if file.unmarked > 0 && !writeGapMarker(&file) {
            file.unmarked += bytes.count
            file.lost += bytes.count
            files[stream] = file
            lose(bytes.count, reason: nil, stream: stream, total: file.lost)
            return
        }
        let (written, failure) = SpoolWriter.write(bytes, to: file.fd)
        file.size += written
        if let failure {
            let missed = bytes.count - written
            if file.unmarked == 0 { file.unmarkedReason = failure.text }
            file.unmarked += missed
            file.lost += missed
            lose(missed, reason: failure, stream: stream, total: file.lost)
        }
        // Cut only once well past the cap, so that copying stays rare.
        if file.size > spool.maxBytes + max(64 * 1024, spool.maxBytes / 4) { cut(&file, of: stream) }
        files[stream] = file
    }

    /// Marks where writing starts again after lost bytes; false if even that cannot be written.
    private func writeGapMarker(_ file: inout File) -> Bool {
        let marker = OutputLoss.gapMarker(bytes: file.unmarked, reason: file.unmarkedReason)
        let (written, failure) = marker.withUnsafeBytes { SpoolWriter.write($0, to: file.fd) }
        file.size += written
        guard failure == nil else { return false }
        file.unmarked = 0
        return true
    }

    /// Counts `bytes` lost; the first loss of the job is logged.
    private func lose(_ bytes: Int, reason: LossReason?, stream: JobOutputStream, total: Int) {
        guard let current = loss else {
            let why = reason?.text ?? "unknown"
            loss = OutputLoss(bytes: total, reason: why)
            spool.logger.warning("job \(id): output lost (\(why)) writing \(spool.path(id, stream)); later output is kept again once it can be written, after a line that marks the gap")
            return
        }
        loss = OutputLoss(bytes: max(current.bytes, total), reason: current.reason)
    }

    /// The job has ended: a gap still unmarked is marked, a file removed
    /// meanwhile counts as lost, and each file is cut to exactly what is kept, and closed.
    package func finish() {
        for (stream, var file) in files {
            if file.unmarked > 0 { _ = writeGapMarker(&file) }
            var info = stat()
            if fstat(file.fd, &info) == 0 && info.st_nlink == 0 {
                file.lost = file.size
                lose(0, reason: LossReason(text: "its spool file was removed while the job ran"), stream: stream, total: file.lost)
            } else if file.size > spool.maxBytes && outputSize(file.fd, size: file.size) > spool.maxBytes {
                cut(&file, of: stream)
            }
            close(file.fd)
        }
        files = [:]
    }

    /// Replaces a file holding more than `maxBytes` of output with what
    /// `Spool.kept` keeps of it: the cut line, then the last `maxBytes` bytes.
    /// Only the tail is read, so memory stays at the cap. A new file renamed
    /// over the old, not the old rewritten: an `/output` reading the old one
    /// a slice at a time (`FileReply`) reads it whole. Kept as it is if the new one cannot be written.
    private func cut(_ file: inout File, of stream: JobOutputStream) {
        var tail = [UInt8](repeating: 0, count: spool.maxBytes)
        let n = tail.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress, $0.count, off_t(file.size - spool.maxBytes)) }
        let path = spool.path(id, stream)
        let cutPath = path + ".cut"
        let fd = open(cutPath, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        guard n == spool.maxBytes, fd >= 0 else {
            if fd >= 0 { close(fd) }
            return
        }
        let marker = Spool.cutMarker(maxBytes: spool.maxBytes)
        let written = marker.withUnsafeBytes { SpoolWriter.write($0, to: fd) }
        let tailWritten = tail.withUnsafeBytes { SpoolWriter.write($0, to: fd) }
        guard written.failure == nil, tailWritten.failure == nil, rename(cutPath, path) == 0 else {
            unlink(cutPath)
            close(fd)
            return
        }
        close(file.fd)
        file.fd = fd
        file.size = written.written + tailWritten.written
    }

    /// The bytes of output in a file: its size, less the cut line it starts with if it was cut.
    private func outputSize(_ fd: Int32, size: Int) -> Int {
        let marker = Spool.cutMarker(maxBytes: spool.maxBytes)
        var head = [UInt8](repeating: 0, count: marker.count)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        return n == marker.count && head == marker ? size - marker.count : size
    }

    /// Writes all it can; returns the bytes written, and why it stopped short.
    private static func write(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> (written: Int, failure: LossReason?) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            // A full disk, or the file-size limit: the job goes on, its output is counted lost.
            guard n > 0 else { return (offset, LossReason(errno: n < 0 ? errno : ENOSPC)) }
            offset += n
        }
        return (offset, nil)
    }
}

/// Why output could not be written, in words.
private struct LossReason: Error {
    let text: String

    init(text: String) { self.text = text }

    init(errno code: Int32) {
        text = code == EFBIG ? "file too large: the server's file-size limit (ulimit -f) was reached" : String(cString: strerror(code))
    }
}
