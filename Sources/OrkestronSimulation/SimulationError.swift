/// Why a simulation could not be set up. Each message names the flag at fault, since `orkctl simulate` reports
/// these as usage errors (exit 2).
public enum SimulationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `--failure-rate` text that is not `JOB_OR_TYPE=R` with R in 0…1.
    case invalidFailureRate(String)
    /// `--failure-rate` naming neither a job nor a type of the configuration.
    case unknownFailureRateTarget(String, suggestion: String?)
    /// `--duration` of zero or less.
    case invalidDuration(Int64)

    public var description: String {
        switch self {
        case .invalidFailureRate(let text):
            return "--failure-rate: cannot read \"\(text)\" (expected JOB_OR_TYPE=R with R from 0 to 1, like sync_001=0.2)"
        case .unknownFailureRateTarget(let name, let suggestion):
            return "--failure-rate: no job or type named \"\(name)\" in the configuration"
                + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "")
        case .invalidDuration(let ms):
            return "--duration: must be longer than 0, got \(ms) ms"
        }
    }
}
