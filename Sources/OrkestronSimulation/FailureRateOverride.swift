/// `--failure-rate JOB_OR_TYPE=R`: the failure rate of a job, or of every job of a type, for the whole run.
///
/// The simulator applies it through the engine's chaos input (`Engine.setChaos`), the same override
/// `orkctl chaos` gives a running daemon, so a simulated what-if and a live one behave alike.
public struct FailureRateOverride: Sendable, Hashable {
    /// A job id or a type name.
    public var target: String
    /// 0 to 1.
    public var rate: Double

    public init(target: String, rate: Double) {
        self.target = target
        self.rate = rate
    }

    /// Reads `sync_001=0.2`; the target is everything before the last `=`, so ids with `=` cannot clash.
    public init(parsing text: String) throws(SimulationError) {
        guard let equals = text.lastIndex(of: "=") else { throw .invalidFailureRate(text) }
        let target = String(text[..<equals]).trimmingSpaces
        let value = String(text[text.index(after: equals)...]).trimmingSpaces
        guard !target.isEmpty, let rate = Double(value), rate.isFinite, (0...1).contains(rate) else {
            throw .invalidFailureRate(text)
        }
        self.init(target: target, rate: rate)
    }
}

extension String {
    /// Without leading and trailing spaces (Foundation-free, for the few places that need it).
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
