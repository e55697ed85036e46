import JobSchedAPI
import JobSchedModel
import JobSchedSystem

extension ServerClient {
    /// Sends a request whose reply streams a job's output (a sync submit,
    /// `follow=1`), prints the output to stdout as it comes, and returns how
    /// the job ended, from the status line that closes the reply.
    func streamJob(_ endpoint: Endpoint, _ form: FormBody, startsWithJobID: Bool) throws(ClientFailure) -> JobEndReport {
        var stream = StreamedOutput(startsWithJobID: startsWithJobID)
        var refusal: (status: Int, bytes: [UInt8])?
        try send(endpoint, form) { status, bytes in
            guard status == 200 else {
                refusal = (status, (refusal?.bytes ?? []) + bytes)
                return
            }
            writeAll(stream.take(bytes), to: 1)
        }
        if let refusal {
            throw ServerClient.failure(status: refusal.status, text: String(decoding: refusal.bytes, as: UTF8.self))
        }
        let (rest, end) = stream.finish()
        writeAll(rest, to: 1)
        guard let end else {
            throw ClientFailure(description: "the reply from \(address) ended before the job did")
        }
        return end
    }
}
