import OrkestronCore
import Testing

/// DST cases the reference vectors leave out: `from` inside a repeated hour, folding, far searches.
@Suite("Cron schedules across DST")
struct CronScheduleTests {
    func fires(_ expr: String, in zoneID: String, after from: String, count: Int) throws -> [String] {
        let zone = try #require(ZoneRules.named(zoneID))
        let start = try #require(Instant(iso8601: from))
        let schedule = CronSchedule(expression: try CronExpression(parsing: expr), zone: zone)
        return schedule.upcoming(after: start, count: count).map { $0.iso8601(in: zone) }
    }

    /// A fixed-time job whose wall time repeats fires at the first occurrence only; when `from` is already in the
    /// second pass it waits for the next day instead of firing again.
    @Test("fixed-time job with from inside the repeated hour waits for the next day")
    func fixedTimeFromInsideOverlap() throws {
        // New York, 2025-11-02: 01:00-02:00 happens twice (EDT until 06:00Z, then EST).
        #expect(
            try fires("30 1 * * *", in: "America/New_York", after: "2025-11-02T05:10:00Z", count: 2) == [
                "2025-11-02T01:30:00-04:00", "2025-11-03T01:30:00-05:00",
            ])
        #expect(
            try fires("30 1 * * *", in: "America/New_York", after: "2025-11-02T06:10:00Z", count: 1) == [
                "2025-11-03T01:30:00-05:00"
            ])
        // A minute list in the overlap: from 01:10 EST the first pass has served 01:20 and 01:50 already.
        #expect(
            try fires("20,50 1 * * *", in: "America/New_York", after: "2025-11-02T06:10:00Z", count: 1) == [
                "2025-11-03T01:20:00-05:00"
            ])
    }

    /// A wildcard job fires at every matching wall time, so the repeated hour fires in both passes.
    @Test("wildcard job fires in both passes of the repeated hour")
    func wildcardInOverlap() throws {
        #expect(
            try fires("*/30 1 * * *", in: "America/New_York", after: "2025-11-02T05:10:00Z", count: 4) == [
                "2025-11-02T01:30:00-04:00", "2025-11-02T01:00:00-05:00",
                "2025-11-02T01:30:00-05:00", "2025-11-03T01:00:00-05:00",
            ])
    }

    /// Skipped wall times of a fixed-time job fold into the single gap-end instant, which is not repeated by a
    /// matching wall time equal to it.
    @Test("skipped fixed times fold into one fire at the gap end")
    func foldingIntoGapEnd() throws {
        #expect(
            try fires("0,30 2,3 * * *", in: "Europe/Berlin", after: "2026-03-28T12:00:00Z", count: 3) == [
                "2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00", "2026-03-30T02:00:00+02:00",
            ])
        // Lord Howe moves 30 minutes: 02:00-02:30 is skipped.
        #expect(
            try fires("10 2 * * *", in: "Australia/Lord_Howe", after: "2026-10-03T00:00:00Z", count: 2) == [
                "2026-10-04T02:30:00+11:00", "2026-10-05T02:10:00+11:00",
            ])
    }

    /// Far-past instants (before the zone table) are still answered; from the year 10000 on, in UTC or in the zone,
    /// there is no answer.
    @Test("the search works before 1800 and stops at the year 10000")
    func extremes() throws {
        let yearly = CronSchedule(expression: try CronExpression(parsing: "@yearly"), zone: try #require(ZoneRules.named("Europe/Berlin")))
        let early = try #require(Instant(iso8601: "1700-06-01T00:00:00Z"))
        // Berlin kept local mean time (+00:53:28) until 1893.
        #expect(yearly.next(after: early)?.iso8601UTC == "1700-12-31T23:06:32.000Z")
        #expect(yearly.next(after: Instant(millisecondsSinceEpoch: .max)) == nil)
        // Local midnight of 10000-01-01 is 9999-12-31T23:00Z, but its wall time is in the year 10000: not answered.
        let late = try #require(Instant(iso8601: "9998-06-01T00:00:00Z"))
        let last = try #require(yearly.next(after: late))
        #expect(last.iso8601UTC == "9998-12-31T23:00:00.000Z")
        #expect(yearly.next(after: last) == nil)
    }

    /// Found by the cron fuzzer (Tests/Fuzz/Regressions/FuzzCron/year-10000-east-of-utc): east of UTC, local
    /// midnight of 10000-01-01 comes before 10000-01-01T00:00Z; it was answered and written with a five-digit year
    /// that `Instant(iso8601:)` cannot read back. Every fire time's text now reads back, up to the last one.
    @Test("no fire time has a wall time in the year 10000, whatever the zone")
    func lastYearEastOfUTC() throws {
        for identifier in ["Australia/Sydney", "Pacific/Kiritimati", "America/Los_Angeles", "UTC"] {
            let zone = try #require(ZoneRules.named(identifier))
            for text in ["@yearly", "* * * * *", "59 23 31 12 *"] {
                let schedule = CronSchedule(expression: try CronExpression(parsing: text), zone: zone)
                let fires = schedule.upcoming(after: try #require(Instant(iso8601: "9999-12-31T00:00:00Z")), count: 2_000)
                for fire in fires {
                    #expect(Instant(iso8601: fire.iso8601(in: zone)) == fire, "\(text) in \(identifier): \(fire.iso8601(in: zone))")
                }
                #expect(zone.civil(at: fires.last ?? Instant(secondsSinceEpoch: 0)).year <= 9_999)
            }
        }
    }

    /// Rare schedules are found years ahead without scanning minute by minute; with both day fields restricted the
    /// Vixie OR rule applies (Feb 29 or any Monday in February).
    @Test("a leap-day schedule finds the next Feb 29 across a non-leap century year")
    func farSearch() throws {
        #expect(
            try fires("0 0 29 2 *", in: "Europe/Berlin", after: "2096-03-01T00:00:00Z", count: 1) == [
                "2104-02-29T00:00:00+01:00"
            ])
        #expect(
            try fires("0 0 29 2 1", in: "UTC", after: "2026-01-01T00:00:00Z", count: 1) == [
                "2026-02-02T00:00:00+00:00"
            ])
    }
}
