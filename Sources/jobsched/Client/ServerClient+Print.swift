import JobSchedAPI
import JobSchedSystem

extension ServerClient {
    /// Sends a request that must succeed and prints its reply as it is.
    func print(_ endpoint: Endpoint, _ form: FormBody = FormBody()) throws(ClientFailure) -> Int32 {
        writeAll(Array(try text(endpoint, form).utf8), to: 1)
        return 0
    }
}

extension FormBody {
    /// `jobid=1,2,3`.
    static func jobs(_ ids: [Int64]) -> FormBody {
        var form = FormBody()
        form.add("jobid", ids.map(String.init).joined(separator: ","))
        return form
    }
}
