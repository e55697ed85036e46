import JobSchedAPI
import JobSchedModel

extension RequestHandlers {
    /// Refuses a `notify=` URL this server does not send to (`WebhookRules`): a 400 that says why.
    func checkNotify(_ url: WebhookURL?) throws(RequestError) {
        guard let url, let refusal = webhookRules.refusal(of: url) else { return }
        throw .badRequest("notify: \(refusal)")
    }
}
