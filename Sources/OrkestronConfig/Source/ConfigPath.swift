/// Where a value sits in one TOML document: `job[2].retry.max_retries`.
///
/// The position index and the resolver meet on these paths, so both must spell them the same way: keys joined
/// by dots, array (and array-of-tables) elements as `[n]` counted from 0 in order of appearance in the file, and
/// keys that are not bare TOML keys written quoted (`environment."A.B"`), so a dot inside a key never reads as a
/// separator.
struct ConfigPath: Hashable, Sendable, CustomStringConvertible {
    enum Segment: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    private(set) var segments: [Segment]

    static let root = ConfigPath(segments: [])

    init(segments: [Segment]) {
        self.segments = segments
    }

    init(_ keys: String...) {
        self.segments = keys.map(Segment.key)
    }

    func appending(_ key: String) -> ConfigPath {
        ConfigPath(segments: segments + [.key(key)])
    }

    func appending(index: Int) -> ConfigPath {
        ConfigPath(segments: segments + [.index(index)])
    }

    func appending(keys: [String]) -> ConfigPath {
        ConfigPath(segments: segments + keys.map(Segment.key))
    }

    /// The path one level up; the root is its own parent.
    var parent: ConfigPath {
        ConfigPath(segments: Array(segments.dropLast()))
    }

    var isRoot: Bool { segments.isEmpty }

    var description: String {
        var text = ""
        for segment in segments {
            switch segment {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += Self.render(key: key)
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    /// A key as it would be written in TOML: bare when it can be, else a basic string.
    static func render(key: String) -> String {
        if !key.isEmpty && key.unicodeScalars.allSatisfy(isBareKeyScalar) { return key }
        var quoted = "\""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    static func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": return true
        default: return false
        }
    }
}
