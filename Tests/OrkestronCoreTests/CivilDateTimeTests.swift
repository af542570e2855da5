import OrkestronCore
import Testing

/// Integer calendar arithmetic of `CivilDateTime`.
@Suite("Civil date-time")
struct CivilDateTimeTests {
    /// Day counts and dates convert both ways for every day in a wide window, including before 1970.
    @Test("days from civil and civil from days round trip")
    func daysRoundTrip() {
        #expect(CivilDateTime.days(fromCivilYear: 1970, month: 1, day: 1) == 0)
        #expect(CivilDateTime.days(fromCivilYear: 2000, month: 3, day: 1) == 11_017)
        #expect(CivilDateTime.days(fromCivilYear: 1969, month: 12, day: 31) == -1)
        var previous = CivilDateTime.civil(fromDays: -800_098)
        for days in stride(from: Int64(-800_000), through: 800_000, by: 97) {
            let date = CivilDateTime.civil(fromDays: days)
            #expect(CivilDateTime.days(fromCivilYear: date.year, month: date.month, day: date.day) == days)
            #expect((date.year, date.month, date.day) > (previous.year, previous.month, previous.day))
            previous = date
        }
    }

    /// Seconds since the epoch (read as UTC) and wall fields convert both ways, negative seconds included.
    @Test("seconds round trip")
    func secondsRoundTrip() {
        let dawn = CivilDateTime(secondsSinceEpoch: -1)
        #expect(dawn == CivilDateTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59))
        let moment = CivilDateTime(year: 2026, month: 11, day: 29, hour: 8, minute: 0, second: 1)
        #expect(moment.secondsSinceEpoch == 1_795_939_201)
        for seconds in stride(from: Int64(-5_000_000_000), to: 5_000_000_000, by: 9_999_991) {
            #expect(CivilDateTime(secondsSinceEpoch: seconds).secondsSinceEpoch == seconds)
        }
    }

    /// Weekdays count from Sunday = 0, as cron does.
    @Test("weekday numbering starts at Sunday")
    func weekdays() {
        #expect(CivilDateTime(year: 1970, month: 1, day: 1).weekday == 4)
        #expect(CivilDateTime(year: 1969, month: 12, day: 31).weekday == 3)
        #expect(CivilDateTime(year: 2026, month: 11, day: 29).weekday == 0)
        #expect(CivilDateTime(year: 2026, month: 8, day: 1).weekday == 6)
        #expect(CivilDateTime(year: 1900, month: 1, day: 1).weekday == 1)
    }

    /// Gregorian leap years: every 4th, except centuries not divisible by 400.
    @Test("leap years and month lengths")
    func leapYears() {
        #expect(CivilDateTime.isLeapYear(2000))
        #expect(CivilDateTime.isLeapYear(2024))
        #expect(!CivilDateTime.isLeapYear(1900))
        #expect(!CivilDateTime.isLeapYear(2100))
        #expect(CivilDateTime.daysInMonth(year: 2024, month: 2) == 29)
        #expect(CivilDateTime.daysInMonth(year: 2026, month: 2) == 28)
        #expect(CivilDateTime.daysInMonth(year: 2026, month: 4) == 30)
        #expect(CivilDateTime.daysInMonth(year: 2026, month: 12) == 31)
    }

    /// Validity rejects dates the calendar does not have; comparison is chronological; text is ISO-like.
    @Test("validity, ordering and description")
    func validityOrderingDescription() {
        #expect(CivilDateTime(year: 2024, month: 2, day: 29).isValid)
        #expect(!CivilDateTime(year: 2026, month: 2, day: 29).isValid)
        #expect(!CivilDateTime(year: 2026, month: 1, day: 1, hour: 24).isValid)
        #expect(CivilDateTime(year: 2026, month: 1, day: 31) < CivilDateTime(year: 2026, month: 2, day: 1))
        #expect(
            CivilDateTime(year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 59)
                < CivilDateTime(year: 2026, month: 1, day: 1, hour: 0, minute: 1))
        #expect(CivilDateTime(year: 2026, month: 3, day: 9, hour: 2, minute: 5).description == "2026-03-09T02:05:00")
    }
}
