/// How a failed attempt is retried.
public struct RetryPolicy: Sendable, Hashable {
    public enum Backoff: String, Sendable, Hashable, CaseIterable {
        case fixed
        case linear
        case exponential
    }

    public var maxRetries: Int
    public var backoff: Backoff
    public var initialDelayMs: Int64
    public var multiplier: Double
    public var maxDelayMs: Int64
    /// The delay is multiplied by a factor drawn uniformly from `[1 − jitter, 1 + jitter]`.
    public var jitter: Double

    /// The defaults of SPEC §8 (no `[defaults]` table): no retries, exponential from 2 s, doubling, capped at 5 min.
    public init(
        maxRetries: Int = 0,
        backoff: Backoff = .exponential,
        initialDelayMs: Int64 = 2_000,
        multiplier: Double = 2.0,
        maxDelayMs: Int64 = 300_000,
        jitter: Double = 0
    ) {
        self.maxRetries = maxRetries
        self.backoff = backoff
        self.initialDelayMs = initialDelayMs
        self.multiplier = multiplier
        self.maxDelayMs = maxDelayMs
        self.jitter = jitter
    }

    /// The delay before the retry that follows failed attempt `attempt` (1-based), before jitter.
    public func baseDelayMs(afterAttempt attempt: Int) -> Int64 {
        let n = Swift.max(attempt, 1)
        let delay: Double
        switch backoff {
        case .fixed:
            delay = Double(initialDelayMs)
        case .linear:
            delay = Double(initialDelayMs) * Double(n)
        case .exponential:
            delay = Double(initialDelayMs) * pow(multiplier, Double(n - 1))
        }
        // Compare as doubles first: a large exponent overflows Int64.
        if !delay.isFinite || delay >= Double(maxDelayMs) { return maxDelayMs }
        return Swift.max(0, Int64(delay.rounded()))
    }

    /// The delay with jitter applied; `unitDraw` is a uniform number in [0, 1) from the job's generator.
    public func delayMs(afterAttempt attempt: Int, unitDraw: Double) -> Int64 {
        let base = baseDelayMs(afterAttempt: attempt)
        guard jitter > 0 else { return base }
        let factor = 1 - jitter + 2 * jitter * unitDraw
        return Swift.max(0, Int64((Double(base) * factor).rounded()))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
