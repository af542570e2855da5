/// What a wall-clock time means in a zone: one instant, two (fall back), or none (spring forward).
///
/// Cron and quiet hours are written in wall time, and around DST transitions a wall time is ambiguous or missing;
/// callers must decide which reading they want, so `ZoneRules.resolve(_:)` reports all three cases instead of
/// silently picking one.
public enum LocalResolution: Hashable, Sendable {
    /// The wall time occurs exactly once.
    case unique(Instant)
    /// The wall time occurs twice: first with the offset before the transition, then with the one after it.
    case repeated(first: Instant, second: Instant)
    /// The clock skips the wall time; `transition` is the instant the gap ends (the first wall time after it).
    case skipped(transition: Instant)

    /// The reading schedulers use: the first occurrence of a repeated time, the gap end for a skipped one.
    public var earliest: Instant {
        switch self {
        case .unique(let instant): instant
        case .repeated(let first, _): first
        case .skipped(let transition): transition
        }
    }
}
