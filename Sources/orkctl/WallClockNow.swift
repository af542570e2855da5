import Foundation
import OrkestronCore

/// The current wall-clock time as an `Instant`, for relative times and `calendar`'s default start.
enum WallClockNow {
    /// Truncated to the millisecond, so "strictly after now" never skips the current millisecond.
    static var instant: Instant {
        Instant(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
