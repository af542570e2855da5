/// ISO 8601 / RFC 3339 text for instants, without Foundation's formatters.
///
/// Timestamps appear in logs, the wire protocol, `ORKESTRON_SCHEDULED_AT` and `orkctl` output; formatting them by
/// hand on `CivilDateTime` keeps the output byte-stable across platforms and cheap enough for hot paths.
extension Instant {
    /// `2026-11-29T08:00:01.842Z`: UTC, always with milliseconds.
    public var iso8601UTC: String {
        let (seconds, milliseconds) = splitSeconds
        let civil = CivilDateTime(secondsSinceEpoch: seconds)
        guard (0...9999).contains(civil.year) else {
            return civil.description + "." + CivilDateTime.pad(milliseconds, 3) + "Z"
        }
        // Written digit by digit into the string's own 24 bytes: every run, event and job summary on the wire
        // carries such times, and building them from padded pieces was a tenth of a 10,000-job `jobs.list`.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int, digits: Int, at offset: Int) {
                var rest = value
                for position in stride(from: offset + digits - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            put(civil.year, digits: 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(civil.month, digits: 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(civil.day, digits: 2, at: 8)
            buffer[10] = UInt8(ascii: "T")
            put(civil.hour, digits: 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(civil.minute, digits: 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(civil.second, digits: 2, at: 17)
            buffer[19] = UInt8(ascii: ".")
            put(milliseconds, digits: 3, at: 20)
            buffer[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// `2026-03-29T03:00:00+02:00`: the wall time in `zone` with the offset in force at this instant
    /// (`+00:00` for UTC), with `.mmm` milliseconds when `fractionalSeconds` is true.
    public func iso8601(in zone: ZoneRules, fractionalSeconds: Bool = false) -> String {
        let (seconds, milliseconds) = splitSeconds
        let offset = zone.segment(containing: seconds).offset
        var text = CivilDateTime(secondsSinceEpoch: seconds + Int64(offset)).description
        if fractionalSeconds { text += "." + CivilDateTime.pad(milliseconds, 3) }
        return text + Self.offsetText(offset)
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or `±HH:MM` (also `±HHMM`, `±HH`). The date and time
    /// may be separated by `T`, `t` or a space; fractions beyond milliseconds are truncated. Nil on anything else.
    public init?(iso8601 text: String) {
        var scanner = ISO8601Scanner(text)
        guard let civil = scanner.civilDateTime(), let offset = scanner.offsetSeconds(), scanner.isAtEnd else {
            return nil
        }
        self.init(millisecondsSinceEpoch: (civil.time.secondsSinceEpoch - Int64(offset)) * 1_000 + civil.milliseconds)
    }

    /// Parses a wall time `YYYY-MM-DD HH:MM[:SS]` (or with `T`) read in `zone`. A wall time the clock skips resolves
    /// to the end of the gap, a repeated one to its first occurrence, like a fixed-time cron job. Nil on bad input.
    public init?(localDateTime text: String, in zone: ZoneRules) {
        var scanner = ISO8601Scanner(text)
        guard let civil = scanner.civilDateTime(), scanner.isAtEnd else { return nil }
        self = zone.resolve(civil.time).earliest + civil.milliseconds
    }

    /// `+05:30`, `-03:00`, `+00:00`; seconds only for the odd historical offset that has them (`+00:53:28`).
    static func offsetText(_ offset: Int) -> String {
        let magnitude = abs(offset)
        var text = (offset < 0 ? "-" : "+") + CivilDateTime.pad(magnitude / 3_600, 2) + ":"
            + CivilDateTime.pad(magnitude / 60 % 60, 2)
        if magnitude % 60 != 0 { text += ":" + CivilDateTime.pad(magnitude % 60, 2) }
        return text
    }

    private var splitSeconds: (seconds: Int64, milliseconds: Int) {
        let seconds = CivilDateTime.floorDivide(millisecondsSinceEpoch, 1_000)
        return (seconds, Int(millisecondsSinceEpoch - seconds * 1_000))
    }
}

/// A cursor over the UTF-8 bytes of an ISO 8601 timestamp.
private struct ISO8601Scanner {
    private let bytes: [UInt8]
    private var position = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    var isAtEnd: Bool { position == bytes.count }

    /// `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]`, validated (no February 30th, no hour 24).
    mutating func civilDateTime() -> (time: CivilDateTime, milliseconds: Int64)? {
        guard let year = digits(4), take("-"), let month = digits(2), take("-"), let day = digits(2),
            take("T") || take("t") || take(" "),
            let hour = digits(2), take(":"), let minute = digits(2)
        else { return nil }
        var second = 0
        var milliseconds: Int64 = 0
        if take(":") {
            guard let value = digits(2) else { return nil }
            second = value
            if take(".") || take(",") {
                var count = 0
                while let digit = peekDigit() {
                    if count < 3 { milliseconds = milliseconds * 10 + Int64(digit) }
                    count += 1
                    position += 1
                }
                guard count > 0 else { return nil }
                for _ in count..<max(count, 3) { milliseconds *= 10 }
            }
        }
        let time = CivilDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return time.isValid ? (time, milliseconds) : nil
    }

    /// `Z`, `±HH:MM`, `±HHMM` or `±HH`, as seconds east of UTC.
    mutating func offsetSeconds() -> Int? {
        if take("Z") || take("z") { return 0 }
        let sign: Int
        if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
        guard let hours = digits(2), hours <= 23 else { return nil }
        var minutes = 0
        if take(":") {
            guard let value = digits(2) else { return nil }
            minutes = value
        } else if let value = digits(2) {
            minutes = value
        }
        guard minutes <= 59 else { return nil }
        return sign * (hours * 3_600 + minutes * 60)
    }

    private mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    private func peekDigit() -> Int? {
        guard position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) else {
            return nil
        }
        return Int(bytes[position] - UInt8(ascii: "0"))
    }

    /// Exactly `count` decimal digits.
    private mutating func digits(_ count: Int) -> Int? {
        let start = position
        var value = 0
        for _ in 0..<count {
            guard let digit = peekDigit() else {
                position = start
                return nil
            }
            value = value * 10 + digit
            position += 1
        }
        return value
    }
}
