import Foundation
import OrkestronCore

/// The real time, as the engine's `Instant`.
enum WallClock {
    static func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}

extension Duration {
    /// Whole milliseconds, for comparing real elapsed time with wall-clock instants.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
