import Foundation
import Synchronization

/// The UTC-offset history of one IANA time zone, precomputed so lookups are a binary search.
///
/// Cron evaluation converts between wall time and instants on every step, and a benchmark wants millions of
/// evaluations per second; Foundation's `TimeZone` is far too slow for that and allocates. So the offsets of
/// 1800-2400 are read from Foundation once, when the zone is first named, into two flat arrays. Outside that
/// window (or for zones whose rules would need more), lookups fall back to Foundation, which is correct but slow.
/// Instances are immutable and shared through a process-wide cache.
public final class ZoneRules: Sendable, CustomStringConvertible {
    /// The IANA identifier the zone was requested with (e.g. `Europe/Berlin`, `UTC`).
    public let identifier: String

    private let timeZone: TimeZone
    /// `transitionSeconds[i]` is the instant (seconds since the epoch) from which `offsets[i]` applies; the first
    /// entry is `tableStart`, not a real transition.
    private let transitionSeconds: [Int64]
    private let offsets: [Int32]
    /// The table is valid for instants in `tableStart..<tableEnd`; `tableEnd` is `Int64.max` when Foundation knows
    /// no transition after the last one in the table (e.g. zones that abolished DST).
    private let tableStart: Int64
    private let tableEnd: Int64

    /// UTC, which needs no lookup and is the default wherever no zone is configured.
    public static let utc = ZoneRules(identifier: "UTC", timeZone: TimeZone(secondsFromGMT: 0)!)

    private static let cache = Mutex<[String: ZoneRules]>([:])

    /// The rules of an IANA zone or of a fixed offset from GMT or UTC (`UTC+2`, `GMT-05:30`), or nil when the
    /// identifier names neither. Cached for the process.
    public static func named(_ identifier: String) -> ZoneRules? {
        if identifier == "UTC" { return utc }
        return cache.withLock { cache in
            if let rules = cache[identifier] { return rules }
            let timeZone: TimeZone?
            if let seconds = fixedOffsetSeconds(identifier) {
                timeZone = seconds.flatMap { TimeZone(secondsFromGMT: $0) }
            } else {
                timeZone = TimeZone(identifier: identifier)
            }
            guard let timeZone else { return nil }
            let rules = ZoneRules(identifier: identifier, timeZone: timeZone)
            cache[identifier] = rules
            return rules
        }
    }

    /// For a fixed offset from GMT or UTC, `.some(seconds)`, or `.some(nil)` when it is malformed; nil for any
    /// other identifier.
    ///
    /// These names are parsed here, never by Foundation: its parser of them traps on some malformed ones
    /// (`UTC+00: 0`), and an identifier comes from a configuration file or a command line. The forms are the
    /// ones Foundation accepts: `{GMT|UTC}{+|-}{H|HH|HHMM|H:MM|HH:MM|H.MM|HH.MM}`, hours to 18 and minutes to 59
    /// (18 only as 18:00).
    static func fixedOffsetSeconds(_ identifier: String) -> Int?? {
        let utf8 = Array(identifier.utf8)
        guard utf8.count > 3, identifier.hasPrefix("GMT") || identifier.hasPrefix("UTC") else { return nil }
        let sign = utf8[3]
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        var digits = Array(utf8.dropFirst(4))
        if digits.count >= 4, digits[digits.count - 3] == UInt8(ascii: ":") || digits[digits.count - 3] == UInt8(ascii: ".") {
            digits.remove(at: digits.count - 3)
            guard digits.count == 3 || digits.count == 4 else { return .some(nil) }
        } else {
            guard digits.count == 1 || digits.count == 2 || digits.count == 4 else { return .some(nil) }
        }
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return .some(nil) }
        let values = digits.map { Int($0 - UInt8(ascii: "0")) }
        let hoursLength = values.count <= 2 ? values.count : values.count - 2
        let hours = values.prefix(hoursLength).reduce(0) { $0 * 10 + $1 }
        let minutes = values.dropFirst(hoursLength).reduce(0) { $0 * 10 + $1 }
        guard hours < 18 && minutes < 60 || hours == 18 && minutes == 0 else { return .some(nil) }
        return (sign == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// 1800-01-01T00:00:00Z and 2400-01-01T00:00:00Z: wide enough that cron's 400-year search almost never leaves
    /// the table, and cheap to build (about 1,200 transitions for a zone with DST).
    static let tableWindow: Range<Int64> = -5_364_662_400..<13_569_465_600

    private init(identifier: String, timeZone: TimeZone) {
        self.identifier = identifier
        self.timeZone = timeZone
        let window = Self.tableWindow
        var transitionSeconds: [Int64] = [window.lowerBound]
        var offsets: [Int32] = [Int32(timeZone.secondsFromGMT(for: Self.date(window.lowerBound)))]
        var end = Int64.max
        var probe = Self.date(window.lowerBound)
        while let next = timeZone.nextDaylightSavingTimeTransition(after: probe) {
            probe = next
            let seconds = Int64(next.timeIntervalSince1970.rounded(.down))
            if seconds >= window.upperBound {
                end = window.upperBound
                break
            }
            // Foundation also reports changes of name or DST flag that keep the offset; they are not transitions here.
            let offset = Int32(timeZone.secondsFromGMT(for: next))
            if offset != offsets[offsets.count - 1] {
                transitionSeconds.append(seconds)
                offsets.append(offset)
            }
        }
        self.transitionSeconds = transitionSeconds
        self.offsets = offsets
        self.tableStart = window.lowerBound
        self.tableEnd = end
    }

    public var description: String { identifier }

    // MARK: - Public lookups

    /// The zone's UTC offset at `instant`, in seconds (east positive).
    public func offsetSeconds(at instant: Instant) -> Int {
        segment(containing: Self.seconds(of: instant)).offset
    }

    /// The wall time the zone's clocks show at `instant` (milliseconds are dropped).
    public func civil(at instant: Instant) -> CivilDateTime {
        let seconds = Self.seconds(of: instant)
        return CivilDateTime(secondsSinceEpoch: seconds + Int64(segment(containing: seconds).offset))
    }

    /// The first instant strictly after `instant` at which the UTC offset changes, or nil when it never does again.
    public func nextTransition(after instant: Instant) -> Instant? {
        let end = segment(containing: Self.seconds(of: instant)).end
        return end == .max ? nil : Instant(secondsSinceEpoch: end)
    }

    /// How the wall time `civil` maps to instants in this zone. `civil` must be valid (`civil.isValid`).
    public func resolve(_ civil: CivilDateTime) -> LocalResolution {
        resolve(localSeconds: civil.secondsSinceEpoch)
    }

    // MARK: - Internal, second-resolution API for the cron search

    /// A stretch of time with one UTC offset: it ends (exclusive) at `end`, `Int64.max` if never. `index` is its
    /// row in the table, or -1 when it came from Foundation.
    struct Segment {
        var offset: Int
        var end: Int64
        var index: Int
    }

    /// The segment that contains the instant `seconds` (seconds since the epoch).
    func segment(containing seconds: Int64) -> Segment {
        guard seconds >= tableStart, seconds < tableEnd else { return foundationSegment(containing: seconds) }
        // The last row whose start is <= seconds; row 0 starts at tableStart, so there is one.
        var low = 0
        var high = transitionSeconds.count
        while high - low > 1 {
            let middle = (low + high) >> 1
            if transitionSeconds[middle] <= seconds { low = middle } else { high = middle }
        }
        return row(low)
    }

    /// The segment that starts where `segment` ends (which must not be `Int64.max`).
    func segment(after segment: Segment) -> Segment {
        if segment.index >= 0, segment.index + 1 < transitionSeconds.count { return row(segment.index + 1) }
        return self.segment(containing: segment.end)
    }

    /// `resolve(_:)` on a wall time given as local seconds (`CivilDateTime.secondsSinceEpoch`); the instants it
    /// returns are whole seconds.
    func resolve(localSeconds local: Int64) -> LocalResolution {
        // Every candidate instant `local - offset` lies within a day of `local` (offsets stay within ±26 h even for
        // historical local mean time), so the segments overlapping that window are all that need checking.
        let margin: Int64 = 26 * 3_600
        var segment = self.segment(containing: local - margin)
        var segmentStart = Int64.min
        var first: Int64?
        var previousCandidatePassedEnd = false
        while true {
            let candidate = local - Int64(segment.offset)
            if candidate >= segmentStart, candidate < segment.end {
                if let first {
                    return .repeated(first: Instant(secondsSinceEpoch: first), second: Instant(secondsSinceEpoch: candidate))
                }
                first = candidate
            } else if candidate < segmentStart, previousCandidatePassedEnd, first == nil {
                // Too late for the old offset, too early for the new one: the clock jumped over this wall time.
                return .skipped(transition: Instant(secondsSinceEpoch: segmentStart))
            }
            previousCandidatePassedEnd = candidate >= segment.end
            if segment.end == .max || segment.end > local + margin { break }
            segmentStart = segment.end
            segment = self.segment(after: segment)
        }
        // A valid wall time always resolves to one of the cases above; without a match it can only be a gap.
        return .unique(Instant(secondsSinceEpoch: first ?? local))
    }

    // MARK: - Helpers

    private func row(_ index: Int) -> Segment {
        let end = index + 1 < transitionSeconds.count ? transitionSeconds[index + 1] : tableEnd
        return Segment(offset: Int(offsets[index]), end: end, index: index)
    }

    /// Outside the table: ask Foundation for the offset and for the next transition that changes it.
    private func foundationSegment(containing seconds: Int64) -> Segment {
        let offset = timeZone.secondsFromGMT(for: Self.date(seconds))
        var probe = Self.date(seconds)
        // Bounded: Foundation may report several non-changes (name or flag only) in a row, but never many.
        for _ in 0..<64 {
            guard let next = timeZone.nextDaylightSavingTimeTransition(after: probe) else { break }
            let nextSeconds = Int64(next.timeIntervalSince1970.rounded(.down))
            if seconds < tableStart, nextSeconds >= tableStart {
                return Segment(offset: offset, end: tableStart, index: -1)
            }
            if timeZone.secondsFromGMT(for: next) != offset {
                return Segment(offset: offset, end: nextSeconds, index: -1)
            }
            probe = next
        }
        return Segment(offset: offset, end: seconds < tableStart ? tableStart : .max, index: -1)
    }

    private static func date(_ seconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Whole seconds of an instant, rounding toward the past (so 12:00:00.500 is in the second 12:00:00).
    static func seconds(of instant: Instant) -> Int64 {
        CivilDateTime.floorDivide(instant.millisecondsSinceEpoch, 1_000)
    }
}
