/// Why a cron expression was rejected: the field, the offending token and a sentence saying what is wrong.
///
/// Cron expressions come from configuration files and the command line, so the message must let a person fix the
/// expression without reading the parser: it names the field and quotes the token, e.g.
/// `hour field: 25 is out of range 0-23`.
public struct CronError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `second`, `minute`, `hour`, `day-of-month`, `month` or `day-of-week`; nil for errors about the whole
    /// expression (field count, macros).
    public var field: String?
    /// The piece of text that could not be accepted (a value, a list item, the macro, or the whole expression).
    public var token: String
    /// What is wrong, without the field prefix.
    public var message: String

    public init(field: String?, token: String, message: String) {
        self.field = field
        self.token = token
        self.message = message
    }

    public var description: String {
        guard let field else { return message }
        return "\(field) field: \(message)"
    }
}
