/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64).
///
/// Each job draws from its own stream, seeded from the daemon seed and the job id, so adding or removing a job
/// never changes another job's jitter, durations or simulated failures.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// The stream of one job: the seed mixed with a stable hash of the id.
    public init(seed: UInt64, stream: String) {
        var mixer = SplitMix64(seed: seed ^ StableHash.fnv1a64(stream))
        state = mixer.next()
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 bits of precision.
    @inlinable
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `lower...upper`.
    @inlinable
    public mutating func next(in lower: Int64, _ upper: Int64) -> Int64 {
        guard upper > lower else { return lower }
        let span = UInt64(upper - lower) &+ 1
        return lower + Int64(bitPattern: span == 0 ? next() : next() % span)
    }
}
