/// Requests the engine refuses, with what was wrong.
public enum EngineError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownJob(String)
    /// The run is not active: it never existed, or it has already ended.
    case runNotActive(String)

    public var description: String {
        switch self {
        case .unknownJob(let id): return "unknown job \"\(id)\""
        case .runNotActive(let id): return "run \"\(id)\" is not active"
        }
    }
}
