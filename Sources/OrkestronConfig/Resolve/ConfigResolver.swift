import OrkestronCore

/// What the loader needs from the host, injectable so tests do not depend on the machine's zone or groups.
struct LoadEnvironment: Sendable {
    /// The zone `[daemon].timezone` defaults to; must be one `ZoneRules` knows.
    var localTimeZone: String
    var groupExists: @Sendable (String) -> Bool
}

/// One configuration file after TOML parsing.
struct ParsedFile: Sendable {
    var path: String
    /// `nil` when the file had a syntax error (already reported).
    var root: [String: TOMLNode]?
    var positions: SourcePositions
}

/// A table being read, with where it is: which file, which path, and how to name it in messages.
struct TableView {
    let file: Int
    let path: ConfigPath
    let entries: [String: TOMLNode]
    /// How messages name the table: `[[job]]`, `[daemon]`, `retry in [defaults]`.
    let context: String

    subscript(key: String) -> TOMLNode? { entries[key] }

    func path(of key: String) -> ConfigPath { path.appending(key) }
}

/// Where a diagnostic points: at a key (for unknown, missing, duplicate or conflicting keys) or at its value
/// (for values that are wrong).
enum Anchor {
    case key
    case value
}

/// Turns parsed files into a `Configuration`, collecting every problem on the way.
///
/// Reading happens in two passes. The first walks the files in order and merges the layered tables (`[daemon]`,
/// `[defaults]`, `[types.X]`: a later file wins per key) and collects the `[[job]]` and `[[quiet_hours]]`
/// entries; the second resolves each job and window against the merged layers, so a drop-in's `[defaults]`
/// applies to the main file's jobs too, and then checks the references between them.
struct ConfigResolver {
    let files: [ParsedFile]
    let environment: LoadEnvironment
    private(set) var diagnostics: [(file: Int, position: SourcePosition, diagnostic: Diagnostic)] = []

    // Merged layers.
    var daemon: DaemonSettings
    var defaults = JobPolicies()
    /// Where each `[defaults]` key was last set, for messages about values a job inherits.
    var defaultsOrigin: [String: (file: Int, path: ConfigPath)] = [:]
    var typeSettings: [String: TypeSettings] = [:]
    /// Type names with the place they first appear, for `typeNames`.
    var typeMentions: [(file: Int, position: SourcePosition, name: String)] = []

    // Collected entries.
    var jobViews: [TableView] = []
    var quietHoursViews: [TableView] = []

    // Results of the second pass.
    var jobs: [JobDefinition] = []
    /// Where each job's `id` is, for duplicate and cycle messages.
    var jobOrigins: [String: (file: Int, path: ConfigPath)] = [:]
    var triggerEdges: [TriggerEdge] = []
    var quietHoursOrigins: [String: (file: Int, path: ConfigPath)] = [:]
    var quietHours: [QuietHours] = []

    init(files: [ParsedFile], environment: LoadEnvironment) {
        self.files = files
        self.environment = environment
        self.daemon = DaemonSettings(timezone: environment.localTimeZone)
    }

    /// Whether every file parsed: references into a file with a syntax error cannot be checked.
    var allFilesParsed: Bool { files.allSatisfy { $0.root != nil } }

    mutating func resolve() -> Configuration? {
        for (index, file) in files.enumerated() {
            guard let root = file.root else { continue }
            readRoot(TableView(file: index, path: .root, entries: root, context: "the top level"))
        }
        checkControlGroup()
        for view in jobViews { resolveJob(view) }
        for view in quietHoursViews { resolveQuietHours(view) }
        checkTriggers()
        checkUnusedDefaults()
        guard !diagnostics.contains(where: { $0.diagnostic.severity == .error }) else { return nil }
        return Configuration(
            daemon: daemon,
            jobs: jobs,
            engineSettings: EngineSettings(
                maxConcurrency: daemon.maxConcurrency,
                typeConcurrency: typeSettings.compactMapValues(\.maxConcurrency),
                quietHours: quietHours,
                seed: daemon.seed ?? 0),
            files: files.map(\.path),
            warnings: sortedDiagnostics,
            typeNames: orderedTypeNames)
    }

    /// Errors and warnings in file order, then by position; ties keep the order they were found in.
    var sortedDiagnostics: [Diagnostic] {
        diagnostics.enumerated()
            .sorted { lhs, rhs in
                (lhs.element.file, lhs.element.position.line, lhs.element.position.column, lhs.offset)
                    < (rhs.element.file, rhs.element.position.line, rhs.element.position.column, rhs.offset)
            }
            .map(\.element.diagnostic)
    }

    var orderedTypeNames: [String] {
        var seen: Set<String> = []
        return typeMentions
            .sorted { ($0.file, $0.position) < ($1.file, $1.position) }
            .compactMap { seen.insert($0.name).inserted ? $0.name : nil }
    }

    // MARK: The top level

    static let topLevelKeys = ConfigKeys.topLevel

    private mutating func readRoot(_ root: TableView) {
        checkKeys(root, allowed: Self.topLevelKeys)
        if let view = table("daemon", in: root, context: "[daemon]") { readDaemon(view) }
        if let view = table("defaults", in: root, context: "[defaults]") { readDefaults(view) }
        if let view = table("types", in: root, context: "[types]") { readTypes(view) }
        quietHoursViews += arrayOfTables("quiet_hours", in: root, context: "[[quiet_hours]]")
        jobViews += arrayOfTables("job", in: root, context: "[[job]]")
    }

    // MARK: Diagnostics

    func position(file: Int, path: ConfigPath, anchor: Anchor) -> SourcePosition {
        let positions = files[file].positions
        var path = path
        var anchor = anchor
        while true {
            let found: SourcePosition?
            switch anchor {
            case .key: found = positions.key(at: path) ?? positions.value(at: path)
            case .value: found = positions.value(at: path) ?? positions.key(at: path)
            }
            if let found { return found }
            if path.isRoot { return .start }
            path = path.parent
            anchor = .key
        }
    }

    func location(file: Int, path: ConfigPath, anchor: Anchor = .key) -> String {
        let position = position(file: file, path: path, anchor: anchor)
        return "\(files[file].path):\(position.line):\(position.column)"
    }

    mutating func report(
        _ message: String, file: Int, path: ConfigPath, anchor: Anchor = .value,
        severity: Diagnostic.Severity = .error
    ) {
        let position = position(file: file, path: path, anchor: anchor)
        diagnostics.append(
            (
                file, position,
                Diagnostic(
                    file: files[file].path, line: position.line, column: position.column, message: message,
                    severity: severity)
            ))
    }

    mutating func warn(_ message: String, file: Int, path: ConfigPath, anchor: Anchor = .key) {
        report(message, file: file, path: path, anchor: anchor, severity: .warning)
    }

    /// The keys of a table in the order they appear in the file (unplaced ones last, by name).
    func orderedKeys(of view: TableView) -> [String] {
        let positions = files[view.file].positions
        let unplaced = SourcePosition(line: .max, column: .max)
        return view.entries.keys
            .map { key in (key, positions.key(at: view.path(of: key)) ?? unplaced) }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .map(\.0)
    }

    /// Reports every key of `view` that is not in `allowed`, with a suggestion when one is close.
    ///
    /// `misplaced` names keys that are valid elsewhere, with the sentence that says where.
    mutating func checkKeys(_ view: TableView, allowed: [String], misplaced: [String: String] = [:]) {
        let allowedSet = Set(allowed)
        for key in orderedKeys(of: view) where !allowedSet.contains(key) {
            let rendered = ConfigPath.render(key: key)
            if let explanation = misplaced[key] {
                report(
                    "\"\(rendered)\" cannot be set in \(view.context); \(explanation)", file: view.file,
                    path: view.path(of: key), anchor: .key)
            } else {
                report(
                    "unknown key \"\(rendered)\" in \(view.context)\(Suggestions.hint(for: key, in: allowed))",
                    file: view.file, path: view.path(of: key), anchor: .key)
            }
        }
    }

    mutating func typeMismatch(expected: String, key: String, found node: TOMLNode, file: Int, path: ConfigPath) {
        report(
            "expected \(expected) for \"\(ConfigPath.render(key: key))\", found \(node.kindDescription)",
            file: file, path: path)
    }
}

/// `[types.<name>]`, merged across files.
struct TypeSettings: Sendable, Hashable {
    var maxConcurrency: Int?
    var priority: Int?
}

/// One `on_success` / `on_failure` reference, kept until every job is known.
struct TriggerEdge {
    enum Kind: String {
        case onSuccess = "on_success"
        case onFailure = "on_failure"
    }

    var from: String
    var to: String
    var kind: Kind
    var file: Int
    /// The array element that names the target.
    var path: ConfigPath
}
