/// Finished runs per second over the last 15 minutes, in a fixed ring of per-second buckets.
///
/// Recording is O(1) and allocation-free after the first call, whatever the gap since the previous one: a bucket
/// remembers which second it counts, so a bucket left over from an earlier lap of the ring is recognised as stale
/// and restarted instead of every skipped bucket being cleared.
struct ThroughputRing: Sendable {
    static let seconds = 900

    /// Each bucket packs the second it counts (its low 32 bits: enough to tell laps apart) in the high half and
    /// the count in the low half, so a bucket is one word. Empty until the first record.
    private var buckets: [UInt64] = []
    /// The latest second recorded; a second a whole ring older than it has no bucket left.
    private var latestSecond: Int64 = .min

    private static let countMask: UInt64 = 0xFFFF_FFFF

    mutating func record(second: Int64) {
        if buckets.isEmpty {
            buckets = Array(repeating: 0, count: Self.seconds)
        } else if second <= latestSecond &- Int64(Self.seconds) {
            return
        }
        if second > latestSecond {
            latestSecond = second
        }
        let index = Int(Self.positiveModulo(second, Int64(Self.seconds)))
        let stamp = UInt64(UInt32(truncatingIfNeeded: second)) << 32
        let bucket = buckets[index]
        if bucket & ~Self.countMask != stamp {
            buckets[index] = stamp | 1
        } else if bucket & Self.countMask != Self.countMask {
            buckets[index] = bucket &+ 1
        }
    }

    /// Finished runs in the last 60, 300 and 900 seconds, the second `second` included.
    func counts(endingAt second: Int64) -> (last1m: Int, last5m: Int, last15m: Int) {
        var last1m = 0
        var last5m = 0
        var last15m = 0
        let now = UInt32(truncatingIfNeeded: second)
        for bucket in buckets {
            let count = Int(bucket & Self.countMask)
            guard count > 0 else { continue }
            // Wrapping difference of the low 32 bits: exact for any age within ±68 years.
            let age = Int32(bitPattern: now &- UInt32(truncatingIfNeeded: bucket >> 32))
            guard age >= 0, age < Int32(Self.seconds) else { continue }
            last15m += count
            if age < 300 { last5m += count }
            if age < 60 { last1m += count }
        }
        return (last1m, last5m, last15m)
    }

    static func positiveModulo(_ value: Int64, _ modulus: Int64) -> Int64 {
        let remainder = value % modulus
        return remainder < 0 ? remainder + modulus : remainder
    }

    /// The second an instant falls in, rounding down for instants before the epoch too.
    static func second(ofMilliseconds milliseconds: Int64) -> Int64 {
        milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
    }
}
