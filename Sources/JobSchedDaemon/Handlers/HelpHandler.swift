import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    package func help(_ r: HelpRequest, _ request: HTTPRequest) throws(RequestError) {
        guard let topic = r.topic else {
            respond(request, format: r.format, text: HelpText.overview, json: HelpText.overviewJSON)
            return
        }
        guard let command = Endpoint(rawValue: topic) else {
            throw RequestError(status: 404, message: HelpText.unknownTopic(topic))
        }
        respond(request, format: r.format, text: { HelpText.topic(command) }, json: { HelpText.topicJSON(command) })
    }
}
