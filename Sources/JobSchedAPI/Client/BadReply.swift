/// A reply no jobsched server sends, one line for stderr that says what was
/// expected and what came. The client exits `ClientExit.badReply` on it.
package struct BadReply: Error, Equatable, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
