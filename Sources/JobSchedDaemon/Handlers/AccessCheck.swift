import JobSchedAPI
import JobSchedModel
import JobSchedSystem

extension RequestHandlers {
    /// The token, Host, Origin and Sec-Fetch-Site rules of `AccessPolicy`, as HTTP errors;
    /// `needsToken: false` lets a request without the token pass (the dashboard's files).
    /// The token the request carries (nil: the server has none, or it needs none).
    @discardableResult
    package func checkAccess(_ request: HTTPRequest, needsToken: Bool = true) throws(RequestError) -> NamedToken? {
        switch access.decide(authorization: request.header("Authorization"), origin: request.header("Origin"),
                             host: request.host, fetchSite: request.header("Sec-Fetch-Site")) {
        case .allow(let token): return token
        case .forbidden(let reason): throw RequestError(status: 403, message: reason)
        case .unauthorized where !needsToken: return nil
        case .unauthorized: throw RequestError(status: 401, message: "missing or wrong token; send 'Authorization: Bearer TOKEN'")
        }
    }

    /// Whether the caller's role lets it use `endpoint` at all: 403 naming the token if not.
    func authorize(_ caller: NamedToken?, for endpoint: Endpoint) throws(RequestError) {
        guard let caller, !caller.role.mayUse(endpoint) else { return }
        throw RequestError(status: 403, message: "\(RequestHandlers.describe(caller)) may not /\(endpoint.rawValue)")
    }

    /// A submit token changes only the jobs it submitted: each named job's
    /// owner is read (an active job's from memory), so it names at most
    /// `maxOwnedIDs` at once. Unknown ids are left to the handler's 404.
    func checkOwnership(_ caller: NamedToken?, of ids: [JobID], for endpoint: Endpoint) throws(RequestError) {
        guard let caller, caller.role == .submit else { return }
        guard ids.count <= RequestHandlers.maxOwnedIDs else {
            throw RequestError(status: 403, message: "\(RequestHandlers.describe(caller)) may name at most \(RequestHandlers.maxOwnedIDs) jobs in one /\(endpoint.rawValue); split the list")
        }
        for id in ids {
            let owner: String??
            if let active = runner.activeJobs[id] {
                owner = .some(active.job.owner)
            } else {
                do { owner = try store.job(id).map(\.owner) } catch { throw RequestHandlers.databaseError(error) }
            }
            guard let owner, owner != caller.name else { continue }
            let whose = owner.map { "submitted by \(Excerpt.quoted($0))" } ?? "submitted without a token"
            throw RequestError(status: 403, message: "\(RequestHandlers.describe(caller)) may not /\(endpoint.rawValue) job \(id), \(whose)")
        }
    }

    /// The most jobs a submit token names in one request (each one's owner is read).
    static let maxOwnedIDs = 1_000

    /// `token 'ci' (role submit)`, as refusals and the log name a caller.
    static func describe(_ caller: NamedToken) -> String {
        "token \(Excerpt.quoted(caller.name)) (role \(caller.role.rawValue))"
    }
}
