/// A parsed, validated cron expression: 5 fields, 6 with a leading seconds field, or a macro such as `@daily`.
///
/// Parsing happens once, when a configuration is loaded or `orkctl calendar` starts, so every syntax error is
/// reported up front with the field and token at fault; the result holds only bitsets, so evaluating it
/// (`CronSchedule`) never touches the text again.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written, with surrounding whitespace removed and inner runs of whitespace collapsed.
    public let text: String
    /// The plain fields the expression stands for: macros expanded, 5 fields or 6 with seconds, single-spaced.
    public let normalized: String
    /// True when the expression has a seconds field (it then fires at second resolution; otherwise at second 0).
    public let hasSeconds: Bool

    let seconds: CronField
    let minutes: CronField
    let hours: CronField
    let daysOfMonth: CronField
    let months: CronField
    let daysOfWeek: CronField

    /// Parses `text`, or throws a `CronError` naming the field and token at fault.
    public init(parsing text: String) throws(CronError) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        self.text = words.joined(separator: " ")
        var fields = words.map(String.init)
        if let macro = fields.first, macro.hasPrefix("@") {
            guard let expansion = Self.macros[macro.lowercased()] else {
                throw CronError(field: nil, token: macro, message: "unknown macro \"\(macro)\"")
            }
            guard fields.count == 1 else {
                throw CronError(field: nil, token: self.text, message: "macro \"\(macro)\" must stand alone")
            }
            fields = expansion.split(separator: " ").map(String.init)
        }
        guard fields.count == 5 || fields.count == 6 else {
            throw CronError(
                field: nil, token: self.text, message: "expected 5 or 6 fields, found \(fields.count)")
        }
        hasSeconds = fields.count == 6
        normalized = fields.joined(separator: " ")
        if !hasSeconds { fields.insert("0", at: 0) }
        seconds = try CronField(parsing: fields[0], kind: .second)
        minutes = try CronField(parsing: fields[1], kind: .minute)
        hours = try CronField(parsing: fields[2], kind: .hour)
        daysOfMonth = try CronField(parsing: fields[3], kind: .dayOfMonth)
        months = try CronField(parsing: fields[4], kind: .month)
        daysOfWeek = try CronField(parsing: fields[5], kind: .dayOfWeek)
    }

    /// Whether the job is "fixed-time" in Debian cron's sense, which decides how it behaves across DST changes.
    ///
    /// Fixed-time jobs (no `*`-prefixed minute or hour field, e.g. `30 2 * * *`, `@daily`) fire once per matching
    /// wall time, moved to the end of a spring-forward gap and not repeated in a fall-back overlap. Wildcard jobs
    /// (`*/20 * * * *`, `0 */8 * * *`, `@hourly`) follow the wall clock literally. With a seconds field, a
    /// `*`-prefixed seconds field also makes the job wildcard: `* 30 2 * * *` repeats every second.
    public var isFixedTime: Bool {
        !(seconds.startsWithWildcard || minutes.startsWithWildcard || hours.startsWithWildcard)
    }

    public var description: String { text }

    /// Vixie cron's day rule: when either day field starts with `*` (or is `?`) a day must match both, otherwise
    /// either; so `0 0 10 * 2` is every 10th and every Tuesday, and `0 0 */3 * 5` only Fridays among 1, 4, 7….
    var daysCombineWithAnd: Bool { daysOfMonth.startsWithWildcard || daysOfWeek.startsWithWildcard }

    /// The days of a month that match both day fields under the Vixie rule, as bit `d` for day `d`.
    func dayMask(year: Int, month: Int) -> UInt64 {
        let firstWeekday = CivilDateTime.weekday(
            daysSinceEpoch: CivilDateTime.days(fromCivilYear: year, month: month, day: 1))
        let length = CivilDateTime.daysInMonth(year: year, month: month)
        let byDay = daysOfMonth.dayMask(firstWeekday: firstWeekday, daysInMonth: length)
        let byWeekday = daysOfWeek.dayMask(firstWeekday: firstWeekday, daysInMonth: length)
        return daysCombineWithAnd ? byDay & byWeekday : byDay | byWeekday
    }

    private static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
        "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    ]
}
