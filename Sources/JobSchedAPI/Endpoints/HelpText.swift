import JobSchedModel

/// The text of `/help` and `/help?topic=CMD`.
package enum HelpText {
    package static func overview() -> String {
        var out = "Commands (GET query string or POST form, e.g. curl --data \"a=1&b=2\" HOST/CMD):\n"
        for endpoint in Endpoint.allCases {
            out += "  /\(endpoint.rawValue)\t\(endpoint.summary)\n"
        }
        out += "Parameters of one command: /help?topic=COMMAND\n"
        return out
    }

    package static func topic(_ endpoint: Endpoint) -> String {
        var out = "/\(endpoint.rawValue): \(endpoint.summary)\n"
        for parameter in endpoint.parameters {
            let need = parameter.required ? "required" : "optional"
            let fallback = parameter.defaultValue.map { ", default \($0)" } ?? ""
            out += "  \(parameter.name)\t(\(need)\(fallback))\t\(parameter.summary)\n"
        }
        return out
    }

    package static func overviewJSON() -> JSON {
        .object([("commands", .array(Endpoint.allCases.map {
            .object([("name", .string($0.rawValue)), ("summary", .string($0.summary))])
        }))])
    }

    package static func topicJSON(_ endpoint: Endpoint) -> JSON {
        .object([
            ("name", .string(endpoint.rawValue)),
            ("summary", .string(endpoint.summary)),
            ("parameters", .array(endpoint.parameters.map {
                .object([("name", .string($0.name)), ("required", .bool($0.required)),
                         ("default", JSON($0.defaultValue)), ("summary", .string($0.summary))])
            })),
        ])
    }

    package static func unknownTopic(_ topic: String) -> String {
        "unknown help topic \(Excerpt.quoted(topic)); valid topics: " + Endpoint.allCases.map(\.rawValue).joined(separator: ", ")
    }
}
