import JobSchedAPI
import JobSchedModel
import JobSchedSystem

extension ServerClient {
    /// Sends a request whose reply streams a job's output (a sync submit,
    /// `follow=1`), prints the output to stdout as it comes, and returns how
    /// the job ended, from the status line that closes the reply.
    func streamJob(_ endpoint: Endpoint, _ form: FormBody, startsWithJobID: Bool) throws(ClientFailure) -> JobEndReport {
        var stream = StreamedOutput(startsWithJobID: startsWithJobID)
        var refusal: [UInt8] = []
        let status = try send(endpoint, form) { status, bytes in
            if status == 200 { writeAll(stream.take(bytes), to: 1) } else { refusal += bytes }
        }
        guard status == 200 else {
            throw ServerClient.failure(status: status, text: String(decoding: refusal, as: UTF8.self))
        }
        let (rest, end) = stream.finish()
        writeAll(rest, to: 1)
        guard let end else {
            throw ClientFailure(description: "the reply from \(address) ended before the job did")
        }
        return end
    }
}
