import Foundation
import Testing

@testable import OrkestronCore

/// Cron jobs run by the engine (not just the expression evaluator) across the DST changes of every zone in the
/// shared test vectors, per the rules of docs/ENGINE.md and orkestron.toml(5): a fixed-time job runs once per
/// local day (never twice in the repeated hour; at the end of the gap when its time is skipped), a wildcard job
/// once per occurrence of each matching wall time.
@Suite("Engine: cron jobs across DST in every zone of the test vectors")
struct EngineDSTTests {
    static let zones = [
        "UTC", "America/New_York", "Europe/Berlin", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata",
        "Pacific/Chatham", "America/Sao_Paulo",
    ]

    /// A year with DST changes in the zone: São Paulo has had none since 2019.
    static func year(for zone: String) -> (start: Instant, end: Instant) {
        zone == "America/Sao_Paulo"
            ? (Instant(iso8601: "2017-07-01T00:00:00Z")!, Instant(iso8601: "2018-07-01T00:00:00Z")!)
            : (Instant(iso8601: "2025-01-01T00:00:00Z")!, Instant(iso8601: "2026-01-01T00:00:00Z")!)
    }

    /// The instants in `range` at which the zone's UTC offset changes, with the offsets before and after.
    static func transitions(_ zone: ZoneRules, in range: (start: Instant, end: Instant))
        -> [(at: Instant, before: Int, after: Int)]
    {
        var result: [(Instant, Int, Int)] = []
        var cursor = range.start
        while let next = zone.nextTransition(after: cursor), next < range.end {
            let before = zone.offsetSeconds(at: next - 1_000)
            let after = zone.offsetSeconds(at: next)
            if before != after { result.append((next, before, after)) }
            cursor = next
        }
        return result
    }

    /// Runs a cron job through `start…end` on the manual clock; returns the slots it recorded.
    static func slots(_ expression: String, zone: String, from start: Instant, to end: Instant) throws -> [Instant] {
        let job = JobDefinition(
            id: "cron", schedule: .cron(try CronExpression(parsing: expression), timeZone: zone),
            workload: .simulated(SimulatedWorkload(minDurationMs: 1, maxDurationMs: 1)))
        var harness = EngineHarness([job], start: start)
        harness.advance(to: end)
        return harness.events(of: "cron").filter { $0.status == .scheduled }.compactMap(\.slot)
    }

    /// The engine records exactly the vectors' fire instants, DST cases included.
    @Test("the engine fires at every vector's listed instants", arguments: zones)
    func vectorsThroughTheEngine(zone: String) throws {
        let vectors = try CronVectorTests.loadVectors().filter { $0.invalid != true && $0.tz == zone }
        #expect(!vectors.isEmpty, "no vectors for \(zone)")
        for vector in vectors {
            let from = try #require(vector.from.flatMap { Instant(iso8601: $0) })
            let expected = (vector.next ?? []).compactMap { Instant(iso8601: $0) }
            let last = try #require(expected.last)
            // One millisecond after `from`: the vectors list instants strictly after it.
            let slots = try Self.slots(vector.expr, zone: zone, from: from + 1, to: last + 1_000)
            #expect(slots == expected, "\(vector.expr) in \(zone) after \(vector.from ?? "")")
        }
    }

    /// Over a whole year a daily fixed-time job runs once per local day, whatever the DST changes do to 02:30.
    @Test("a daily fixed-time job runs exactly once per local day for a year", arguments: zones)
    func oncePerDayForAYear(zone: String) throws {
        let rules = try #require(ZoneRules.named(zone))
        let year = Self.year(for: zone)
        let slots = try Self.slots("30 2 * * *", zone: zone, from: year.start, to: year.end)
        let days = slots.map { rules.civil(at: $0).daysSinceEpoch }
        #expect(Set(days).count == slots.count, "two runs on one local day in \(zone)")
        #expect(slots.count >= 364 && slots.count <= 366, "\(slots.count) runs in a year")
    }

    /// At each DST change of the zone: a fixed-time job whose time falls in the gap runs once, at the end of the
    /// gap; one whose time is repeated runs once, at the first occurrence; a wildcard job runs at every quarter
    /// hour that exists, so twice for each repeated wall time and never for a skipped one.
    @Test("at each DST change fixed-time jobs run once and wildcard jobs once per occurrence", arguments: zones)
    func aroundEachChange(zone: String) throws {
        let rules = try #require(ZoneRules.named(zone))
        let changes = Self.transitions(rules, in: Self.year(for: zone))
        if ["UTC", "Asia/Kolkata"].contains(zone) {
            #expect(changes.isEmpty)
            return
        }
        #expect(changes.count == 2, "\(zone): \(changes.map(\.at))")
        for change in changes {
            // The wall time in the middle of the gap or of the repeated stretch.
            let low = min(change.before, change.after)
            let middle = CivilDateTime(
                secondsSinceEpoch: change.at.millisecondsSinceEpoch / 1000 + Int64(low + abs(change.after - change.before) / 2))
            let expression = "\(middle.minute) \(middle.hour) * * *"
            let window = (start: change.at - 2 * 86_400_000, end: change.at + 2 * 86_400_000)
            let fixed = try Self.slots(expression, zone: zone, from: window.start, to: window.end)
            let days = fixed.map { rules.civil(at: $0).daysSinceEpoch }
            // 96 hours hold three to five of the job's days, depending on where its time falls in them.
            #expect(Set(days).count == fixed.count && fixed.count >= 3, "\(expression) in \(zone): \(fixed)")
            let onTheDay = fixed.first { rules.civil(at: $0).daysSinceEpoch == middle.daysSinceEpoch }
            let expected: Instant
            if change.after > change.before {
                expected = change.at  // skipped: the end of the gap
            } else {
                expected = Instant(secondsSinceEpoch: middle.secondsSinceEpoch - Int64(change.before))  // first occurrence
            }
            #expect(onTheDay == expected, "\(expression) in \(zone) on the day of the change at \(change.at)")

            let hours = (start: change.at - 3 * 3_600_000, end: change.at + 3 * 3_600_000)
            let wildcard = try Self.slots("*/15 * * * *", zone: zone, from: hours.start, to: hours.end)
            let quarterHours = stride(
                from: hours.start.millisecondsSinceEpoch, through: hours.end.millisecondsSinceEpoch, by: 900_000
            ).map { Instant(millisecondsSinceEpoch: $0) }
            #expect(wildcard == quarterHours, "*/15 in \(zone) around \(change.at)")
        }
    }
}
