import JobSchedModel

/// The text of `/help` and `/help?topic=CMD`.
package enum HelpText {
    package static func overview() -> String {
        var out = "Commands (GET query string or POST form, e.g. curl --data \"a=1&b=2\" HOST/CMD):\n"
        for command in Command.allCases {
            out += "  /\(command.rawValue)\t\(command.summary)\n"
        }
        out += "Parameters of one command: /help?topic=COMMAND\n"
        return out
    }

    package static func topic(_ command: Command) -> String {
        var out = "/\(command.rawValue): \(command.summary)\n"
        for parameter in command.parameters {
            let need = parameter.required ? "required" : "optional"
            let fallback = parameter.defaultValue.map { ", default \($0)" } ?? ""
            out += "  \(parameter.name)\t(\(need)\(fallback))\t\(parameter.summary)\n"
        }
        return out
    }

    package static func overviewJSON() -> JSON {
        .object([("commands", .array(Command.allCases.map {
            .object([("name", .string($0.rawValue)), ("summary", .string($0.summary))])
        }))])
    }

    package static func topicJSON(_ command: Command) -> JSON {
        .object([
            ("name", .string(command.rawValue)),
            ("summary", .string(command.summary)),
            ("parameters", .array(command.parameters.map {
                .object([("name", .string($0.name)), ("required", .bool($0.required)),
                         ("default", JSON($0.defaultValue)), ("summary", .string($0.summary))])
            })),
        ])
    }

    package static func unknownTopic(_ topic: String) -> String {
        "unknown help topic \(Excerpt.quoted(topic)); valid topics: " + Command.allCases.map(\.rawValue).joined(separator: ", ")
    }
}
