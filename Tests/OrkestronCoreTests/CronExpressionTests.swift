import OrkestronCore
import Testing

/// Hand-derived cases for what the reference vectors lack: `nW`, seconds, `?`, names, errors, `isFixedTime`.
@Suite("Cron expressions")
struct CronExpressionTests {
    /// The next `count` fire times of `expr` after `from`, as ISO 8601 text in `zone` for readable failures.
    func fires(_ expr: String, in zoneID: String = "UTC", after from: String, count: Int) throws -> [String] {
        let zone = try #require(ZoneRules.named(zoneID))
        let start = try #require(Instant(iso8601: from))
        let schedule = CronSchedule(expression: try CronExpression(parsing: expr), zone: zone)
        return schedule.upcoming(after: start, count: count).map { $0.iso8601(in: zone) }
    }

    func errorText(_ expr: String) -> String? {
        do {
            _ = try CronExpression(parsing: expr)
            return nil
        } catch {
            return error.description
        }
    }

    // MARK: nW

    /// `1W` on a Saturday moves forward to Monday the 3rd (it never leaves the month); on a Sunday to Monday the 2nd.
    @Test("1W on a weekend moves to the following Monday inside the month")
    func firstWeekdayNearest() throws {
        // 2026: Aug 1 is a Saturday, Sep 1 a Tuesday, Oct 1 a Thursday, Nov 1 a Sunday.
        #expect(
            try fires("0 9 1W * *", after: "2026-07-15T00:00:00Z", count: 4) == [
                "2026-08-03T09:00:00+00:00", "2026-09-01T09:00:00+00:00",
                "2026-10-01T09:00:00+00:00", "2026-11-02T09:00:00+00:00",
            ])
    }

    /// `15W`: a Saturday 15th fires on Friday the 14th, a Sunday 15th on Monday the 16th, a weekday on the day.
    @Test("15W on Saturday fires Friday, on Sunday fires Monday")
    func midMonthWeekdayNearest() throws {
        // 2026: Aug 15 is a Saturday, Sep 15 a Tuesday, Oct 15 a Thursday, Nov 15 a Sunday.
        #expect(
            try fires("0 9 15W * *", after: "2026-07-20T00:00:00Z", count: 4) == [
                "2026-08-14T09:00:00+00:00", "2026-09-15T09:00:00+00:00",
                "2026-10-15T09:00:00+00:00", "2026-11-16T09:00:00+00:00",
            ])
    }

    /// `31W` at a month end: a Sunday 31st goes back to Friday, a Saturday one to Friday, and a month without a
    /// 31st does not fire at all (Quartz: the day must exist).
    @Test("31W stays in the month and skips months without a 31st")
    func monthEndWeekdayNearest() throws {
        // 2026: May 31 is a Sunday, Jul 31 a Friday, Aug 31 a Monday, Oct 31 a Saturday; Apr, Jun, Sep have 30 days.
        #expect(
            try fires("0 9 31W * *", after: "2026-04-01T00:00:00Z", count: 4) == [
                "2026-05-29T09:00:00+00:00", "2026-07-31T09:00:00+00:00",
                "2026-08-31T09:00:00+00:00", "2026-10-30T09:00:00+00:00",
            ])
    }

    /// `30W` in February names a day that never exists, so the schedule has no fire time at all.
    @Test("nW on a day February never has never fires")
    func nonexistentNearestWeekday() throws {
        #expect(try fires("0 0 30W 2 *", after: "2026-01-01T00:00:00Z", count: 1).isEmpty)
        #expect(try fires("0 0 30 2 *", after: "2026-01-01T00:00:00Z", count: 1).isEmpty)
    }

    /// `nW` works as a list item next to plain days, and ORs with a restricted day-of-week like other days do.
    @Test("nW combines with other list items")
    func nearestWeekdayInList() throws {
        // Aug 2026: 1W → Mon 3rd, plus the 20th.
        #expect(
            try fires("0 9 1W,20 8 *", after: "2026-07-01T00:00:00Z", count: 2) == [
                "2026-08-03T09:00:00+00:00", "2026-08-20T09:00:00+00:00",
            ])
    }

    // MARK: Seconds

    /// Six fields put a seconds field in front; the schedule then fires at second resolution.
    @Test("a six-field expression fires on its seconds")
    func secondsField() throws {
        #expect(
            try fires("*/15 * * * * *", after: "2026-01-01T00:00:00Z", count: 4) == [
                "2026-01-01T00:00:15+00:00", "2026-01-01T00:00:30+00:00",
                "2026-01-01T00:00:45+00:00", "2026-01-01T00:01:00+00:00",
            ])
        #expect(
            try fires("30 0 12 * * *", after: "2026-01-01T12:00:30Z", count: 1) == ["2026-01-02T12:00:30+00:00"])
        #expect(
            try fires("30 0 12 * * *", after: "2026-01-01T12:00:29.999Z", count: 1) == ["2026-01-01T12:00:30+00:00"])
    }

    /// Five fields fire at second 0, and a `from` with milliseconds inside that second is already past it.
    @Test("a five-field expression fires at second 0, strictly after from")
    func fiveFieldsFireAtSecondZero() throws {
        #expect(
            try fires("* * * * *", after: "2026-01-01T00:00:00.001Z", count: 2) == [
                "2026-01-01T00:01:00+00:00", "2026-01-01T00:02:00+00:00",
            ])
        #expect(try fires("* * * * * *", after: "2026-01-01T00:00:00.500Z", count: 1) == ["2026-01-01T00:00:01+00:00"])
    }

    /// With seconds, a fixed time in a spring-forward gap moves to the gap end; a `*` seconds field makes the job
    /// a wildcard one, which does not fire in the gap at all.
    @Test("six-field expressions follow the fixed and wildcard DST rules")
    func secondsAcrossSpringForward() throws {
        #expect(
            try fires("15 30 2 * * *", in: "Europe/Berlin", after: "2026-03-28T12:00:00Z", count: 2) == [
                "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:15+02:00",
            ])
        #expect(
            try fires("*/30 30 2 * * *", in: "Europe/Berlin", after: "2026-03-28T12:00:00Z", count: 2) == [
                "2026-03-30T02:30:00+02:00", "2026-03-30T02:30:30+02:00",
            ])
    }

    // MARK: ?, names, macros

    /// `?` means `*` in a day field, and like `*` it makes the two day fields combine with AND.
    @Test("? in a day field behaves like *")
    func questionMark() throws {
        let from = "2026-01-01T00:00:00Z"
        #expect(try fires("0 0 ? * MON", after: from, count: 6) == fires("0 0 * * 1", after: from, count: 6))
        #expect(try fires("0 0 15 * ?", after: from, count: 6) == fires("0 0 15 * *", after: from, count: 6))
    }

    /// Names work in any case and as range ends; 0 and 7 are both Sunday; `1/2` in day-of-week runs to 7.
    @Test("names, Sunday as 0 or 7, and a/n in day-of-week")
    func namesAndSundays() throws {
        let from = "2026-01-01T00:00:00Z"
        #expect(try fires("0 0 * * mon-FRI", after: from, count: 12) == fires("0 0 * * 1-5", after: from, count: 12))
        #expect(try fires("0 0 1 jan-MAR *", after: from, count: 6) == fires("0 0 1 1-3 *", after: from, count: 6))
        #expect(try fires("0 0 * * 7", after: from, count: 4) == fires("0 0 * * SUN", after: from, count: 4))
        #expect(try fires("0 0 * * 0", after: from, count: 4) == fires("0 0 * * sun", after: from, count: 4))
        #expect(try fires("0 0 * * 1/2", after: from, count: 8) == fires("0 0 * * 1,3,5,0", after: from, count: 8))
        #expect(try fires("0 0 * * 5-7", after: from, count: 6) == fires("0 0 * * FRI,SAT,SUN", after: from, count: 6))
    }

    /// Macros are stored as written and expand to their plain fields; whitespace is normalized.
    @Test("macros and whitespace normalize to plain fields")
    func normalization() throws {
        let daily = try CronExpression(parsing: "@daily")
        #expect(daily.text == "@daily")
        #expect(daily.normalized == "0 0 * * *")
        #expect(daily.description == "@daily")
        let spaced = try CronExpression(parsing: "  0   2\t* * *  ")
        #expect(spaced.text == "0 2 * * *")
        #expect(try CronExpression(parsing: "0 0 1 1 *").normalized == CronExpression(parsing: "@annually").normalized)
        #expect(try CronExpression(parsing: "*/5 * * * * *").hasSeconds)
        #expect(try !CronExpression(parsing: "*/5 * * * *").hasSeconds)
    }

    // MARK: Fixed or wildcard

    /// A job is fixed-time unless its minute or hour (or seconds) field starts with `*`; macros count as expanded.
    @Test(
        "isFixedTime follows the text of the minute and hour fields",
        arguments: [
            ("20 2 * * *", true), ("1-59/30 2 * * *", true), ("5 1-4 * * *", true), ("@daily", true),
            ("@weekly", true), ("0 0 * * *", true), ("0 30 2 * * *", true),
            ("*/20 * * * *", false), ("0 */8 * * *", false), ("*/30 2 * * *", false), ("@hourly", false),
            ("* 30 2 * * *", false), ("0 * * * *", false),
        ])
    func fixedOrWildcard(expr: String, fixed: Bool) throws {
        #expect(try CronExpression(parsing: expr).isFixedTime == fixed, "\(expr)")
    }

    // MARK: Errors

    /// Errors name the field and quote the token, in words a person can act on.
    @Test("invalid expressions explain what is wrong")
    func errorMessages() {
        #expect(errorText("0 25 * * *") == "hour field: 25 is out of range 0-23")
        #expect(errorText("*/0 * * * *") == "minute field: step 0 in \"*/0\" must be at least 1")
        #expect(errorText("0 0 * *") == "expected 5 or 6 fields, found 4")
        #expect(errorText("0 0 * * TUES") == "day-of-week field: unknown name \"TUES\"")
        #expect(errorText("* * * ? *") == "month field: \"?\" is only allowed in the day-of-month and day-of-week fields")
        #expect(errorText("@every 5m") == "unknown macro \"@every\"")
        #expect(errorText("0 0 * * SAT-MON") == "day-of-week field: range \"SAT-MON\" is reversed (SAT is after MON)")
        #expect(errorText("60 * * * * *") == "second field: 60 is out of range 0-59")
        #expect(errorText("0 0 * * 2#6") == "day-of-week field: ordinal \"6\" in \"2#6\" must be 1 to 5")
        #expect(errorText("0 0 32W * *") == "day-of-month field: 32 is out of range 1-31")
        #expect(errorText("") == "expected 5 or 6 fields, found 0")
    }

    /// The error value carries the field and the token separately, for tools that highlight them.
    @Test("a CronError carries field, token and message")
    func errorParts() {
        #expect(throws: CronError(field: "hour", token: "25", message: "25 is out of range 0-23")) {
            try CronExpression(parsing: "0 25 * * *")
        }
        #expect(throws: CronError(field: nil, token: "@every", message: "unknown macro \"@every\"")) {
            try CronExpression(parsing: "@every 5m")
        }
    }
}
