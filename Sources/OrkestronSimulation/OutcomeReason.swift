import Foundation

/// Why a slot was SKIPPED or DEFERRED, reduced to a category the report can count.
///
/// The engine's reasons carry run ids and times ("overlap skip: previous run sync-000041 still active"), so
/// counting them verbatim would give one bucket per run. The categories follow the causes of SPEC §2: quiet
/// hours (by window name), overlap, deadline, coalescing at the end of quiet hours, and missed slots.
public enum OutcomeReason: Hashable, Sendable, Comparable {
    case overlap
    case deadline
    case coalesced
    case missed
    case quietHours(String)
    /// A reason this version does not know; kept verbatim so nothing is hidden.
    case other(String)

    /// Classifies the `reason` of a SKIPPED event; `windows` are the configured quiet-hours names, which may
    /// themselves contain quotes and spaces.
    public init(skipped reason: String?, windows: [String] = []) {
        let text = reason ?? ""
        if text.hasPrefix("overlap") {
            self = .overlap
        } else if text.hasPrefix("deadline") {
            self = .deadline
        } else if text.hasPrefix("coalesced") {
            self = .coalesced
        } else if text.hasPrefix("missed") {
            self = .missed
        } else if let window = Self.windowName(in: text, windows: windows) {
            self = .quietHours(window)
        } else {
            self = .other(text)
        }
    }

    /// Classifies the `reason` of a DEFERRED event ("quiet hours 'night' until …").
    public init(deferred reason: String?, windows: [String] = []) {
        let text = reason ?? ""
        self = Self.windowName(in: text, windows: windows).map(Self.quietHours) ?? .other(text)
    }

    /// The stable name used as a JSON key and in the tables: "overlap", "quiet hours 'night'", ….
    public var key: String {
        switch self {
        case .overlap: return "overlap"
        case .deadline: return "deadline"
        case .coalesced: return "coalesced"
        case .missed: return "missed"
        case .quietHours(let name): return "quiet hours '\(name)'"
        case .other(let text): return text.isEmpty ? "unspecified" : text
        }
    }

    public static func < (lhs: OutcomeReason, rhs: OutcomeReason) -> Bool { lhs.key < rhs.key }

    /// The window of "quiet hours 'NAME'" or "quiet hours 'NAME' until …": the longest configured name that
    /// fits, else the text up to the last quote before " until" (or the end).
    static func windowName(in text: String, windows: [String]) -> String? {
        let prefix = "quiet hours '"
        guard text.hasPrefix(prefix) else { return nil }
        let rest = text.dropFirst(prefix.count)
        var best: String?
        for name in windows where rest.hasPrefix(name + "'") && name.count > (best?.count ?? -1) {
            let after = rest.dropFirst(name.count + 1)
            if after.isEmpty || after.hasPrefix(" ") { best = name }
        }
        if let best { return best }
        let body = rest.range(of: "' until ", options: .backwards).map { rest[..<$0.lowerBound] } ?? rest
        guard body.hasSuffix("'") || body.endIndex != rest.endIndex else { return nil }
        return String(body.hasSuffix("'") ? body.dropLast() : body)
    }
}
