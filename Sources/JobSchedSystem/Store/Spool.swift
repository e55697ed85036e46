import Glibc
import JobSchedModel

/// The directory where jobsched keeps job output that goes to no file of the
/// user's: per job, both streams in arrival order, and each stream alone when
/// the job's streams were read apart.
package struct Spool {
    package let directory: String
    /// Each file keeps this many of its last bytes (while a job runs, a little
    /// more is written before the file is cut, but never shown).
    package let maxBytes: Int

    package init(directory: String, maxBytes: Int) throws(ServerError) {
        try makeDirectory(directory, label: "spool directory")
        self.directory = directory
        self.maxBytes = maxBytes
    }

    package func path(_ id: JobID, _ stream: JobOutputStream) -> String { "\(directory)/\(id).\(stream.fileSuffix)" }

    /// The kept output, or nil if there is no such file.
    package func read(_ id: JobID, _ stream: JobOutputStream) -> [UInt8]? {
        (try? readWholeFile(path(id, stream))).map { Spool.kept($0, maxBytes: maxBytes) }
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
}

/// Appends one job's output to its spool files, keeping each file near the cap.
///
/// A file is created with the first byte of its stream: most short jobs print
/// nothing, and creating files is the costliest part of starting one.
package final class SpoolWriter {
    private let spool: Spool
    private let id: JobID
    private let streams: [JobOutputStream]
    private var files: [JobOutputStream: (fd: Int32, size: Int)] = [:]

    package init(spool: Spool, id: JobID, streams: [JobOutputStream]) {
        self.spool = spool
        self.id = id
        self.streams = streams
    }

    deinit { files.values.forEach { close($0.fd) } }

    private func file(_ stream: JobOutputStream) -> (fd: Int32, size: Int)? {
        if let file = files[stream] { return file }
        guard streams.contains(stream) else { return nil }
        // O_RDWR: the tail is read back when compacting. A retry appends to the earlier runs' output.
        let fd = open(spool.path(id, stream), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        var info = stat()
        fstat(fd, &info)
        files[stream] = (fd, Int(info.st_size))
        return files[stream]
    }

    package func append(_ bytes: UnsafeRawBufferPointer, to stream: JobOutputStream) {
        guard !bytes.isEmpty, var file = file(stream) else { return }
        file.size += SpoolWriter.write(bytes, to: file.fd)
        // Cut only once well past the cap, so that copying stays rare.
        if file.size > spool.maxBytes + max(64 * 1024, spool.maxBytes / 4) {
            file.size = cut(file.fd, size: file.size)
        }
        files[stream] = file
    }

    /// The job has ended: its files are cut to exactly what is kept, and closed.
    package func finish() {
        for file in files.values {
            if file.size > spool.maxBytes && outputSize(file.fd, size: file.size) > spool.maxBytes {
                _ = cut(file.fd, size: file.size)
            }
            close(file.fd)
        }
        files = [:]
    }

    /// Rewrites a file holding more than `maxBytes` of output to what
    /// `Spool.kept` keeps of it: the cut line, then the last `maxBytes` bytes.
    /// Only the tail is read, so memory stays at the cap. Returns the new size.
    private func cut(_ fd: Int32, size: Int) -> Int {
        var tail = [UInt8](repeating: 0, count: spool.maxBytes)
        let n = tail.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(size - spool.maxBytes)) }
        guard n == spool.maxBytes, ftruncate(fd, 0) == 0 else { return size }
        let marker = Spool.cutMarker(maxBytes: spool.maxBytes)
        return marker.withUnsafeBytes { SpoolWriter.write($0, to: fd) } + tail.withUnsafeBytes { SpoolWriter.write($0, to: fd) }
    }

    /// The bytes of output in a file: its size, less the cut line it starts with if it was cut.
    private func outputSize(_ fd: Int32, size: Int) -> Int {
        let marker = Spool.cutMarker(maxBytes: spool.maxBytes)
        var head = [UInt8](repeating: 0, count: marker.count)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        return n == marker.count && head == marker ? size - marker.count : size
    }

    /// Writes all it can; returns the bytes written.
    private static func write(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Int {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }  // disk full: output is lost, the job goes on
            offset += n
        }
        return offset
    }
}
