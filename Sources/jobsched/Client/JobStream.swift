import JobSchedAPI
import JobSchedModel
import JobSchedSystem

extension ServerClient {
    /// Sends a request whose reply streams a job's output (a sync submit, or
    /// `follow=1` of job `following`), prints the output to stdout as it
    /// comes, and returns how the job ended, from the status line that closes
    /// the reply.
    func streamJob(_ endpoint: Endpoint, _ form: FormBody, following: JobID?) throws(ClientFailure) -> JobEndReport {
        var stream = StreamedOutput(following: following)
        try printReply(endpoint, form) { bytes throws(ClientFailure) in
            try checked { () throws(BadReply) in try stream.take(bytes) }
        }
        let (rest, end) = try checked { () throws(BadReply) in try stream.finish() }
        try printOut(rest)
        guard let end else {
            throw ClientFailure(description: "the reply from \(address) ended before the job did")
        }
        return end
    }
}
