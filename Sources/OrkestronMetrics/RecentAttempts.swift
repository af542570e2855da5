/// A job's last attempts, for a sparkline: a ring of 32 samples, allocated on the first one.
struct RecentAttempts: Sendable {
    static let capacity = 32

    private var samples: [AttemptSample] = []
    /// Where the next sample goes once the ring is full; it is then also the oldest sample.
    private var next = 0

    mutating func append(_ sample: AttemptSample) {
        if samples.count < Self.capacity {
            if samples.isEmpty {
                samples.reserveCapacity(Self.capacity)
            }
            samples.append(sample)
        } else {
            samples[next] = sample
        }
        next = (next + 1) % Self.capacity
    }

    /// Oldest first.
    var chronological: [AttemptSample] {
        guard samples.count == Self.capacity, next != 0 else { return samples }
        return Array(samples[next...] + samples[..<next])
    }
}
