import Glibc

/// A command run to its end while the server starts, before its loop runs
/// (`--gpus auto` asks `nvidia-smi`): its stdout, or nil if it could not run
/// or failed. It blocks, so it is never used once jobs and clients are served.
package func outputAtStartup(of shellLine: String) -> String? {
    guard let pipe = popen(shellLine + " 2>/dev/null", "r") else { return nil }
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&chunk, 1, chunk.count, pipe)
        if n == 0 { break }
        output += chunk[..<n]
    }
    guard pclose(pipe) == 0 else { return nil }
    return String(decoding: output, as: UTF8.self)
}
