import JobSchedAPI
import JobSchedModel
import JobSchedSystem

extension RequestHandlers {
    /// The token, Host, Origin and Sec-Fetch-Site rules of `AccessPolicy`, as HTTP errors;
    /// `needsToken: false` lets a request without the token pass (the dashboard's files).
    package func checkAccess(_ request: HTTPRequest, needsToken: Bool = true) throws(RequestError) {
        switch access.decide(authorization: request.header("Authorization"), origin: request.header("Origin"),
                             host: request.host, fetchSite: request.header("Sec-Fetch-Site")) {
        case .allow: return
        case .forbidden(let reason): throw RequestError(status: 403, message: reason)
        case .unauthorized where !needsToken: return
        case .unauthorized: throw RequestError(status: 401, message: "missing or wrong token; send 'Authorization: Bearer TOKEN'")
        }
    }
}
