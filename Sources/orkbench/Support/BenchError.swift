/// A failure of the bench itself (not a measured result, nor a missed target): the message says what to do.
struct BenchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
