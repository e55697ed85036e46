/// A client command line (or address) that cannot be read: one line for
/// stderr that says what to type instead.
package struct CommandLineError: Error, Equatable, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
