/// One thing worth an operator's attention, said in plain words with the numbers that support it.
public struct Finding: Sendable, Hashable {
    /// What kind of problem; findings are listed in this order.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Comparable {
        /// Runs waited for a global slot.
        case globalContention = "global-contention"
        /// Runs of a type waited for one of the type's slots.
        case typeContention = "type-contention"
        case quietHours = "quiet-hours"
        case overlap
        case deadline
        case failures
        case timeouts
        case autoPause = "auto-pause"
        case stale

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public var kind: Kind
    /// The job, type or window it is about ("" for the whole configuration).
    public var subject: String
    public var text: String

    public init(kind: Kind, subject: String, text: String) {
        self.kind = kind
        self.subject = subject
        self.text = text
    }
}
