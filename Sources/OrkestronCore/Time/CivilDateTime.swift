/// A wall-clock date and time without a zone, in the proleptic Gregorian calendar, to the second.
///
/// Cron fields and configuration times speak in wall-clock terms, while the engine runs on `Instant`s. Keeping the
/// civil side as plain integers (instead of Foundation's `DateComponents`) lets the cron search step through
/// fields without allocating, and makes the zone the only place where wall time meets real time (`ZoneRules`).
/// The conversions use Howard Hinnant's `days_from_civil` / `civil_from_days`, exact for every representable year.
public struct CivilDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    /// 1...12
    public var month: Int
    /// 1...31
    public var day: Int
    /// 0...23
    public var hour: Int
    /// 0...59
    public var minute: Int
    /// 0...59 (no leap seconds: neither the tz database nor cron has them)
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The civil time that `seconds` after 1970-01-01T00:00:00 shows, reading the count as if it were UTC.
    public init(secondsSinceEpoch seconds: Int64) {
        let days = Self.floorDivide(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (y, m, d) = Self.civil(fromDays: days)
        self.init(
            year: y, month: m, day: d,
            hour: secondOfDay / 3_600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60
        )
    }

    /// Seconds since 1970-01-01T00:00:00, reading this wall time as if it were UTC ("local seconds").
    public var secondsSinceEpoch: Int64 {
        Self.days(fromCivilYear: year, month: month, day: day) * 86_400
            + Int64(hour * 3_600 + minute * 60 + second)
    }

    /// Days since 1970-01-01 of the date part.
    public var daysSinceEpoch: Int64 { Self.days(fromCivilYear: year, month: month, day: day) }

    /// Day of the week, 0 = Sunday ... 6 = Saturday (cron's numbering).
    public var weekday: Int { Self.weekday(daysSinceEpoch: daysSinceEpoch) }

    /// Whether the fields name a real date and time (e.g. not February 30th, not 24:00).
    public var isValid: Bool {
        (1...12).contains(month) && day >= 1 && day <= Self.daysInMonth(year: year, month: month)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...59).contains(second)
    }

    public static func < (lhs: CivilDateTime, rhs: CivilDateTime) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
            < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
    }

    /// `2026-03-29T02:30:00`, zero-padded (four-digit year, sign for negative years).
    public var description: String {
        var text = year < 0 ? "-" : ""
        text += Self.pad(abs(year), 4)
        text += "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
        text += "T" + Self.pad(hour, 2) + ":" + Self.pad(minute, 2) + ":" + Self.pad(second, 2)
        return text
    }

    // MARK: - Calendar arithmetic

    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Day of the week for a day count since 1970-01-01 (a Thursday), 0 = Sunday.
    public static func weekday(daysSinceEpoch days: Int64) -> Int {
        Int((days % 7 + 11) % 7)
    }

    /// Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
    public static func days(fromCivilYear year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400  // [0, 399]
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1  // [0, 365]
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear  // [0, 146096]
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Hinnant's `civil_from_days`: the proleptic Gregorian date of a day count since 1970-01-01.
    public static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097  // [0, 146096]
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // [0, 399]
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // [0, 365]
        let mp = (5 * dayOfYear + 2) / 153  // [0, 11], March-based
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
