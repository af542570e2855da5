/// A cron expression evaluated in a time zone: answers "when does it fire next?" with Debian cron's DST behaviour.
///
/// The search works on wall time first, skipping whole months, days, hours and minutes that cannot match (never
/// minute by minute), then maps the wall time to an instant in one of two ways, chosen by
/// `CronExpression.isFixedTime` (see `../shared/testdata/README.md`):
///
/// - wildcard jobs fire at every instant whose wall time matches: the zone's constant-offset stretches are walked
///   in order and the first match inside one wins, so skipped wall times never fire and repeated ones fire twice;
/// - fixed-time jobs fire once per matching wall time, at its first occurrence, or at the end of the gap when the
///   clock skips it. That mapping never goes backwards as the wall time grows, so the first match whose instant
///   lies after `from` is the answer.
///
/// `next(after:)` allocates nothing and calls no Foundation API while the zone's precomputed table covers the
/// search (1800-2400).
public struct CronSchedule: Sendable {
    public let expression: CronExpression
    public let zone: ZoneRules
    private let isFixedTime: Bool

    /// The search gives up after this many years of wall time without a match: the Gregorian calendar repeats
    /// every 400 years (weekdays included), so an expression that matches nothing in that span never matches,
    /// like `0 0 30 2 *`.
    static let searchYears = 401

    /// 10000-01-01T00:00:00Z: `next(after:)` answers nil from here on, so results stay far from `Int64` overflow and
    /// within what ISO 8601 text with four-digit years can show.
    static let lastSupportedSecond: Int64 = 253_402_300_800

    /// The last year of wall time searched. The limit above is in UTC; east of UTC the wall time reaches the year
    /// 10000 first (10000-01-01T00:00+11:00 is still 9999 in UTC), and such a fire would be written with a
    /// five-digit year that `Instant(iso8601:)` cannot read back (found by the cron fuzzer).
    static let lastSupportedYear = 9_999

    public init(expression: CronExpression, zone: ZoneRules) {
        self.expression = expression
        self.zone = zone
        self.isFixedTime = expression.isFixedTime
    }

    /// The first fire instant strictly after `instant`, or nil when the expression never matches (or not before
    /// the year 10000, in UTC and in the zone). Fire instants are whole seconds; iterate with the result to list a
    /// calendar.
    public func next(after instant: Instant) -> Instant? {
        // An instant with milliseconds lies inside its second, so "after it" means "from the next whole second".
        let from = ZoneRules.seconds(of: instant)
        guard from < Self.lastSupportedSecond else { return nil }
        let fire = isFixedTime ? nextFixedTime(after: from) : nextWildcard(after: from)
        return fire.flatMap { $0 < Self.lastSupportedSecond ? Instant(secondsSinceEpoch: $0) : nil }
    }

    /// The next `count` fire instants strictly after `instant`, in order; fewer when the expression runs out.
    public func upcoming(after instant: Instant, count: Int) -> [Instant] {
        var instants: [Instant] = []
        var cursor = instant
        while instants.count < count, let next = next(after: cursor) {
            instants.append(next)
            cursor = next
        }
        return instants
    }

    // MARK: - Mapping wall time to instants

    /// Wildcard jobs: the first instant after `from` whose wall time matches, walking constant-offset segments.
    private func nextWildcard(after from: Int64) -> Int64? {
        var start = from + 1
        var segment = zone.segment(containing: start)
        let yearLimit = CivilDateTime(secondsSinceEpoch: start + Int64(segment.offset)).year + Self.searchYears
        // The last wall-time search, reused while a later segment starts between its origin and its result (no match
        // lies in between), so a rare schedule does not search the same years again for every DST change.
        var searchedFrom = Int64.max
        var found = Int64.min
        // Two segments a year for zones with DST, bounded so a pathological zone cannot loop for long.
        for _ in 0..<(4 * Self.searchYears) {
            let offset = Int64(segment.offset)
            let localStart = start + offset
            if !(searchedFrom <= localStart && localStart <= found) {
                guard let match = nextMatch(atOrAfter: CivilDateTime(secondsSinceEpoch: localStart), yearLimit: yearLimit)
                else { return nil }
                searchedFrom = localStart
                found = match.secondsSinceEpoch
            }
            let fire = found - offset
            if fire < segment.end { return fire }
            start = segment.end
            segment = zone.segment(after: segment)
        }
        return nil
    }

    /// Fixed-time jobs: the first matching wall time whose first occurrence (or gap end) lies after `from`.
    private func nextFixedTime(after from: Int64) -> Int64? {
        // Wall times up to `from`'s own can only map to instants at or before `from` (a later one would need the
        // clock to have jumped back, which makes it a repeated time), so the search starts one second past it.
        var start = CivilDateTime(secondsSinceEpoch: from + Int64(zone.segment(containing: from).offset) + 1)
        let yearLimit = start.year + Self.searchYears
        for _ in 0..<1_000 {
            guard let match = nextMatch(atOrAfter: start, yearLimit: yearLimit) else { return nil }
            let local = match.secondsSinceEpoch
            switch zone.resolve(localSeconds: local) {
            case .unique(let instant), .skipped(transition: let instant):
                let fire = instant.millisecondsSinceEpoch / 1_000
                if fire > from { return fire }
                start = CivilDateTime(secondsSinceEpoch: local + 1)
            case .repeated(let first, _):
                let firstFire = first.millisecondsSinceEpoch / 1_000
                if firstFire > from { return firstFire }
                // `from` lies in the second pass of a fall-back overlap, whose wall times already fired in the
                // first pass: resume at the wall time where the overlap ends (the old offset at the transition).
                let transition = zone.segment(containing: firstFire).end
                start = CivilDateTime(secondsSinceEpoch: max(transition + (local - firstFire), local + 1))
            }
        }
        return nil
    }

    // MARK: - Wall-time search

    /// The first wall time at or after `start` that matches every field, or nil when none does before `yearLimit`
    /// (or after `lastSupportedYear`).
    ///
    /// Each field is advanced to its next allowed value; overflowing one resets the smaller ones and carries into
    /// the larger one, so the loop runs a handful of times per call, not once per minute.
    func nextMatch(atOrAfter start: CivilDateTime, yearLimit: Int) -> CivilDateTime? {
        let e = expression
        var year = start.year, month = start.month, day = start.day
        var hour = start.hour, minute = start.minute, second = start.second
        var maskYear = Int.min, maskMonth = 0
        var days: UInt64 = 0
        while year <= min(yearLimit, Self.lastSupportedYear) {
            guard let nextMonth = e.months.next(atOrAfter: month) else {
                (year, month, day, hour, minute, second) = (year + 1, 1, 1, 0, 0, 0)
                continue
            }
            if nextMonth != month { (month, day, hour, minute, second) = (nextMonth, 1, 0, 0, 0) }
            if year != maskYear || month != maskMonth {
                days = e.dayMask(year: year, month: month)
                (maskYear, maskMonth) = (year, month)
            }
            guard let nextDay = Self.nextBit(days, atOrAfter: day) else {
                (month, day, hour, minute, second) = (month + 1, 1, 0, 0, 0)
                continue
            }
            if nextDay != day { (day, hour, minute, second) = (nextDay, 0, 0, 0) }
            guard let nextHour = e.hours.next(atOrAfter: hour) else {
                (day, hour, minute, second) = (day + 1, 0, 0, 0)
                continue
            }
            if nextHour != hour { (hour, minute, second) = (nextHour, 0, 0) }
            guard let nextMinute = e.minutes.next(atOrAfter: minute) else {
                (hour, minute, second) = (hour + 1, 0, 0)
                continue
            }
            if nextMinute != minute { (minute, second) = (nextMinute, 0) }
            guard let nextSecond = e.seconds.next(atOrAfter: second) else {
                (minute, second) = (minute + 1, 0)
                continue
            }
            return CivilDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: nextSecond)
        }
        return nil
    }

    private static func nextBit(_ bits: UInt64, atOrAfter index: Int) -> Int? {
        guard index < 64 else { return nil }
        let remaining = bits & (~0 << UInt64(index))
        return remaining == 0 ? nil : remaining.trailingZeroBitCount
    }
}
