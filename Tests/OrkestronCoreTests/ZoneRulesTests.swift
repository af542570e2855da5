import Foundation
import OrkestronCore
import Testing

/// The precomputed offset tables and wall-time resolution of `ZoneRules`.
@Suite("Zone rules")
struct ZoneRulesTests {
    static let testdataZones = [
        "UTC", "America/New_York", "Europe/Berlin", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata",
        "Pacific/Chatham", "America/Sao_Paulo",
    ]

    func instant(_ text: String) throws -> Instant { try #require(Instant(iso8601: text)) }

    func zone(_ id: String) throws -> ZoneRules { try #require(ZoneRules.named(id)) }

    /// Zones are looked up once and shared; unknown identifiers give nil rather than a silent UTC.
    @Test("named zones are cached and unknown zones are nil")
    func lookup() throws {
        #expect(ZoneRules.named("Mars/Olympus_Mons") == nil)
        #expect(ZoneRules.named("europe/berlin") == nil)
        let berlin = try zone("Europe/Berlin")
        #expect(try zone("Europe/Berlin") === berlin)
        #expect(berlin.identifier == "Europe/Berlin")
        #expect(ZoneRules.named("UTC") === ZoneRules.utc)
        #expect(ZoneRules.utc.identifier == "UTC")
        #expect(ZoneRules.utc.nextTransition(after: Instant(millisecondsSinceEpoch: 0)) == nil)
    }

    /// Fixed offsets from GMT or UTC are read by `ZoneRules`, not Foundation, whose parser of them traps on some
    /// malformed names (a configuration with `timezone = "UTC+00: 0"` took the daemon down).
    @Test(
        "fixed offsets from GMT and UTC in Foundation's forms, and malformed ones are nil",
        arguments: [
            ("GMT", 0), ("GMT+1", 3_600), ("UTC-1", -3_600), ("GMT+05", 18_000), ("UTC+0530", 19_800),
            ("GMT-1:30", -5_400), ("UTC+05.45", 20_700), ("GMT+18", 64_800), ("UTC-18:00", -64_800),
        ])
    func fixedOffsets(id: String, seconds: Int) throws {
        let rules = try zone(id)
        #expect(rules.identifier == id)
        #expect(rules.offsetSeconds(at: Instant(secondsSinceEpoch: 1_751_328_000)) == seconds)
        #expect(rules.offsetSeconds(at: Instant(secondsSinceEpoch: 1_735_689_600)) == seconds)
    }

    @Test(
        "malformed offsets from GMT and UTC are unknown zones",
        arguments: [
            "UTC+00: 0", "GMT+00: 1", "UTC+00:-0", "UTC+10:+5", "GMT-00: 0", "UTC+", "GMT+:", "UTC+00:", "GMT+123",
            "UTC+12345", "GMT+19", "UTC+18:01", "GMT+05:60", "UTC+1::30", "GMT+ 1", "UTC+0x1",
        ])
    func malformedOffsets(id: String) {
        #expect(ZoneRules.named(id) == nil)
    }

    /// The table agrees with Foundation at every transition (and a second either side) and on a coarse grid of
    /// samples from 1900 to 2200, for the eight zones of the reference vectors.
    @Test("offset tables match Foundation from 1900 to 2200", arguments: testdataZones)
    func tableMatchesFoundation(id: String) throws {
        let rules = try zone(id)
        let foundation = try #require(TimeZone(identifier: id))
        let start: Int64 = -2_208_988_800  // 1900-01-01
        let end: Int64 = 7_258_118_400  // 2200-01-01
        var mismatches: [String] = []
        func check(_ seconds: Int64) {
            let expected = foundation.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let actual = rules.offsetSeconds(at: Instant(secondsSinceEpoch: seconds))
            if actual != expected, mismatches.count < 10 {
                mismatches.append("\(Instant(secondsSinceEpoch: seconds)): \(actual) != \(expected)")
            }
        }
        var probe = Date(timeIntervalSince1970: TimeInterval(start))
        while let next = foundation.nextDaylightSavingTimeTransition(after: probe), next.timeIntervalSince1970 < TimeInterval(end) {
            let seconds = Int64(next.timeIntervalSince1970)
            check(seconds - 1)
            check(seconds)
            check(seconds + 1)
            probe = next
        }
        for seconds in stride(from: start, to: end, by: 86_400 + 3_607) { check(seconds) }
        #expect(mismatches.isEmpty, "\(id): \(mismatches)")
    }

    /// Known offsets, including the 30- and 45-minute ones.
    @Test("offsets of unusual zones")
    func unusualOffsets() throws {
        #expect(try zone("Asia/Kolkata").offsetSeconds(at: instant("2026-01-01T00:00:00Z")) == 19_800)
        #expect(try zone("Pacific/Chatham").offsetSeconds(at: instant("2026-01-01T00:00:00Z")) == 49_500)
        #expect(try zone("Pacific/Chatham").offsetSeconds(at: instant("2026-07-01T00:00:00Z")) == 45_900)
        #expect(try zone("Australia/Lord_Howe").offsetSeconds(at: instant("2026-01-01T00:00:00Z")) == 39_600)
        #expect(try zone("Australia/Lord_Howe").offsetSeconds(at: instant("2026-07-01T00:00:00Z")) == 37_800)
        // São Paulo kept DST until 2019.
        #expect(try zone("America/Sao_Paulo").offsetSeconds(at: instant("2018-01-01T00:00:00Z")) == -7_200)
        #expect(try zone("America/Sao_Paulo").offsetSeconds(at: instant("2026-01-01T00:00:00Z")) == -10_800)
    }

    /// The next transition is strictly after the given instant and the offset changes exactly there.
    @Test("nextTransition finds the exact instant of the offset change")
    func nextTransition() throws {
        let berlin = try zone("Europe/Berlin")
        let spring = try #require(berlin.nextTransition(after: instant("2026-01-01T00:00:00Z")))
        #expect(spring == (try instant("2026-03-29T01:00:00Z")))
        #expect(berlin.offsetSeconds(at: spring) == 7_200)
        #expect(berlin.offsetSeconds(at: spring - 1) == 3_600)
        #expect(berlin.nextTransition(after: spring) == (try instant("2026-10-25T01:00:00Z")))
        #expect(try zone("Asia/Kolkata").nextTransition(after: instant("2026-01-01T00:00:00Z")) == nil)
    }

    /// Ordinary wall times are unique; spring-forward times are skipped (to the gap end); fall-back times repeat.
    @Test("resolve reports unique, skipped and repeated wall times")
    func resolve() throws {
        let berlin = try zone("Europe/Berlin")
        #expect(
            berlin.resolve(CivilDateTime(year: 2026, month: 6, day: 1, hour: 12))
                == .unique(try instant("2026-06-01T10:00:00Z")))
        #expect(
            berlin.resolve(CivilDateTime(year: 2026, month: 3, day: 29, hour: 2, minute: 30))
                == .skipped(transition: try instant("2026-03-29T01:00:00Z")))
        #expect(
            berlin.resolve(CivilDateTime(year: 2026, month: 10, day: 25, hour: 2, minute: 30))
                == .repeated(first: try instant("2026-10-25T00:30:00Z"), second: try instant("2026-10-25T01:30:00Z")))
        // The first wall time after the gap is unique again.
        #expect(
            berlin.resolve(CivilDateTime(year: 2026, month: 3, day: 29, hour: 3))
                == .unique(try instant("2026-03-29T01:00:00Z")))

        let newYork = try zone("America/New_York")
        #expect(
            newYork.resolve(CivilDateTime(year: 2026, month: 3, day: 8, hour: 2, minute: 30))
                == .skipped(transition: try instant("2026-03-08T07:00:00Z")))
        #expect(
            newYork.resolve(CivilDateTime(year: 2026, month: 11, day: 1, hour: 1, minute: 30))
                == .repeated(first: try instant("2026-11-01T05:30:00Z"), second: try instant("2026-11-01T06:30:00Z")))

        // Lord Howe shifts by 30 minutes: 02:00-02:30 is skipped in October, 01:30-02:00 repeats in April.
        let lordHowe = try zone("Australia/Lord_Howe")
        #expect(
            lordHowe.resolve(CivilDateTime(year: 2026, month: 10, day: 4, hour: 2, minute: 10))
                == .skipped(transition: try instant("2026-10-03T15:30:00Z")))
        #expect(
            lordHowe.resolve(CivilDateTime(year: 2026, month: 4, day: 5, hour: 1, minute: 45))
                == .repeated(first: try instant("2026-04-04T14:45:00Z"), second: try instant("2026-04-04T15:15:00Z")))
        #expect(
            lordHowe.resolve(CivilDateTime(year: 2026, month: 4, day: 5, hour: 1, minute: 45)).earliest
                == (try instant("2026-04-04T14:45:00Z")))
    }

    /// Instant → wall time → instant comes back to the same instant (or one of the two, in a repeated hour).
    @Test("civil(at:) and resolve round trip", arguments: testdataZones)
    func roundTrip(id: String) throws {
        let rules = try zone(id)
        // Every 61 minutes for two years covers both transitions of each year.
        for seconds in stride(from: Int64(1_735_689_600), to: 1_798_761_600, by: 3_660) {
            let instant = Instant(secondsSinceEpoch: seconds)
            let civil = rules.civil(at: instant)
            switch rules.resolve(civil) {
            case .unique(let back):
                #expect(back == instant, "\(id) \(civil)")
            case .repeated(let first, let second):
                #expect(first == instant || second == instant, "\(id) \(civil)")
            case .skipped:
                Issue.record("\(id): \(civil), read off the clock, cannot be skipped")
            }
        }
    }
}
