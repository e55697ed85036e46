import Glibc
import JobSchedModel

/// Appends one job's output to its spool files, keeping each file near the cap.
///
/// Most jobs print nothing or a few lines, and making files is the costliest
/// part of running a short job (more so once many have been deleted: ext4
/// then searches longer for a free inode). So a job's first
/// `CompactOutput.maxBytes` are held in memory (`holdsSmallOutput`), files are
/// made only for more, and a stream's file only with its first byte; at the
/// end, small output goes to the database (`finish`).
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
    /// The output while it is small, before any file is made; nil once it
    /// has gone to files, or when it is written to files from the first byte.
    private var held: [JobOutputStream: [UInt8]]?
    private var heldBytes = 0
    private var files: [JobOutputStream: File] = [:]
    /// Bytes of a stream whose file could not even be opened, lost in all.
    private var lostUnopened: [JobOutputStream: Int] = [:]
    /// The output not kept, if any.
    package private(set) var loss: OutputLoss?

    /// `holdsSmallOutput`: false when every byte must be in a file once it
    /// is appended (an executor that reads on after a restart from where it
    /// had spooled: Slurm's).
    package init(spool: Spool, id: JobID, streams: [JobOutputStream], holdsSmallOutput: Bool) {
        self.spool = spool
        self.id = id
        self.streams = streams
        held = holdsSmallOutput ? [:] : nil
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
        guard !bytes.isEmpty, streams.contains(stream) else { return }
        if held != nil {
            guard heldBytes + bytes.count > CompactOutput.maxBytes else {
                held![stream, default: []] += bytes
                heldBytes += bytes.count
                return
            }
            moveHeldOutputToFiles()
        }
        appendToFile(bytes, stream)
    }

    /// The output held in memory, which a reader of a running job gets
    /// instead of a file's; nil once it is in files.
    package func heldOutput(_ stream: JobOutputStream) -> [UInt8]? {
        held.map { $0[stream] ?? [] }
    }

    /// Past the size held in memory: what was held goes to files, and all
    /// that follows after it.
    private func moveHeldOutputToFiles() {
        guard let output = held else { return }
        held = nil
        for (stream, bytes) in output { bytes.withUnsafeBytes { appendToFile($0, stream) } }
    }

    private func appendToFile(_ bytes: UnsafeRawBufferPointer, _ stream: JobOutputStream) {
        guard let opened = file(stream) else { return }
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
    ///
    /// Returns the output when it is small (`CompactOutput.maxBytes` in all),
    /// for the caller to keep in the database, and whether it is also in
    /// files, to remove once the database has it. Otherwise the files stay,
    /// less the two streams together when only one stream had output: that
    /// one's file holds the same bytes (`Spool.open` reads it).
    package func finish() -> (output: CompactOutput, inFiles: Bool)? {
        if let output = held {
            held = nil
            return output.isEmpty ? nil : (CompactOutput(files: output), false)
        }
        for stream in Array(files.keys) {
            var file = files[stream]!
            if file.unmarked > 0 { _ = writeGapMarker(&file) }
            var info = stat()
            if fstat(file.fd, &info) == 0 && info.st_nlink == 0 {
                file.lost = file.size
                lose(0, reason: LossReason(text: "its spool file was removed while the job ran"), stream: stream, total: file.lost)
            } else if file.size > spool.maxBytes && outputSize(file.fd, size: file.size) > spool.maxBytes {
                cut(&file, of: stream)
            }
            files[stream] = file
        }
        defer {
            files.values.forEach { close($0.fd) }
            files = [:]
        }
        guard !files.isEmpty, loss == nil else { return nil }
        guard files.values.reduce(0, { $0 + $1.size }) > CompactOutput.maxBytes else {
            return compactOutput().map { ($0, true) }
        }
        let streamFiles = files.filter { $0.key != .both }
        if let both = files[.both], streamFiles.count == 1, streamFiles.first!.value.size == both.size {
            unlink(spool.path(id, .both))
        }
        return nil
    }

    /// The files' contents, or nil if one cannot be read back.
    private func compactOutput() -> CompactOutput? {
        var contents: [JobOutputStream: [UInt8]] = [:]
        for (stream, file) in files {
            guard lseek(file.fd, 0, SEEK_SET) == 0, let bytes = try? readToEnd(file.fd), bytes.count == file.size else { return nil }
            contents[stream] = bytes
        }
        return CompactOutput(files: contents)
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
