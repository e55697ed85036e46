/// A fatal start-up problem, reported to the operator as one line on stderr.
public struct ServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
