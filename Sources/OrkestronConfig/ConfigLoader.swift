import Foundation
import OrkestronCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and validates the configuration: the main file, then every `conf.d/*.toml` beside it.
///
/// Loading never stops at the first problem: every file is parsed and checked, and all errors (with the warnings)
/// come back together in one `ConfigError`, so an operator fixes a broken file in one round.
///
/// The rules beyond SPEC §3 and §8, in one place:
/// - Layering: `[daemon]`, `[defaults]` (including single keys of its `retry` and `catchup` tables) and
///   `[types.X]` merge key by key, a later file winning; the merged result applies to the jobs of every file.
///   Jobs and quiet-hours windows accumulate; their ids and names are unique across all files.
/// - `[defaults]` accepts the per-job policies: `timeout`, `kill_grace`, `missed`, `overlap`, `retry`,
///   `priority`, `max_concurrency`, `deadline`, `jitter`, `catchup`, `pause_after_failures`, `max_staleness`.
///   A job's priority comes from the job, else its type, else `[defaults]`, else 0.
/// - Durations: `"250ms"`, `"3s"`, `"5m"`, `"1h30m"`, `"7d"`, `"1h 30m"` — integer parts with units d, h, m, s,
///   ms, largest first, each at most once; a bare TOML integer is milliseconds. No fractions or signs.
///   `duration` also takes a range `"300ms..900ms"`.
/// - Warnings (reported, not fatal): `catchup` without `missed = "run_all"`, `failure_rate`/`duration` on a job
///   with a `command`, `working_directory`/`environment` without one, `timezone` without `cron`, a trigger listed
///   twice, a quiet-hours type no job has, a window whose filters are empty, a `control_group` that does not
///   exist.
/// - References to jobs (`on_success`, `on_failure`, quiet hours' `jobs`) are checked only when every file
///   parsed, so a syntax error in one drop-in does not also produce "unknown job" errors for the jobs it holds.
public enum ConfigLoader {
    /// Loads `path` and then the `*.toml` files of the `conf.d` folder in the same directory, in byte-wise
    /// lexical order (hidden files are skipped). A missing `conf.d` is not an error; a missing main file is.
    public static func load(path: String) throws(ConfigError) -> Configuration {
        try load(path: path, environment: .system)
    }

    /// Loads configuration texts given directly, in order, as if the first were the main file and the others its
    /// drop-ins. For tests, fuzzing and `config.reload` dry runs.
    public static func load(sources: [ConfigSource]) throws(ConfigError) -> Configuration {
        try load(sources: sources, environment: .system)
    }

    static func load(path: String, environment: LoadEnvironment) throws(ConfigError) -> Configuration {
        var sources: [ConfigSource] = []
        var diagnostics: [Diagnostic] = []
        var readingOrder = [path]
        switch readText(atPath: path) {
        case .success(let text):
            sources.append(ConfigSource(path: path, text: text))
        case .failure(let problem):
            throw ConfigError(diagnostics: [problem.diagnostic(file: path)])
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dropInDirectory = directory.isEmpty ? "conf.d" : (directory as NSString).appendingPathComponent("conf.d")
        for name in dropInNames(in: dropInDirectory) {
            let dropIn = (dropInDirectory as NSString).appendingPathComponent(name)
            readingOrder.append(dropIn)
            switch readText(atPath: dropIn) {
            case .success(let text): sources.append(ConfigSource(path: dropIn, text: text))
            case .failure(let problem): diagnostics.append(problem.diagnostic(file: dropIn))
            }
        }
        let files = readingOrder
        let configuration: Configuration
        do {
            configuration = try load(sources: sources, environment: environment)
        } catch {
            throw ConfigError(diagnostics: ordered(error.diagnostics + diagnostics, files: files))
        }
        guard diagnostics.isEmpty else {
            throw ConfigError(diagnostics: ordered(configuration.warnings + diagnostics, files: files))
        }
        return configuration
    }

    static func load(sources: [ConfigSource], environment: LoadEnvironment) throws(ConfigError) -> Configuration {
        var diagnostics: [Diagnostic] = []
        var files: [ParsedFile] = []
        for source in sources {
            let positions = SourcePositions(scanning: source.text)
            if let unsupported = positions.unsupportedSyntax {
                diagnostics.append(
                    Diagnostic(
                        file: source.path, line: unsupported.position.line, column: unsupported.position.column,
                        message: unsupported.message))
                files.append(ParsedFile(path: source.path, root: nil, positions: positions))
                continue
            }
            do {
                let root = try TOMLNode.parseDocument(source.text)
                files.append(ParsedFile(path: source.path, root: root, positions: positions))
            } catch {
                diagnostics.append(
                    Diagnostic(
                        file: source.path, line: error.position.line, column: error.position.column,
                        message: syntaxMessage(error.message)))
                files.append(ParsedFile(path: source.path, root: nil, positions: positions))
            }
        }
        var resolver = ConfigResolver(files: files, environment: environment)
        let configuration = resolver.resolve()
        let all = ordered(diagnostics + resolver.sortedDiagnostics, files: sources.map(\.path))
        guard let configuration, !all.contains(where: { $0.severity == .error }) else {
            throw ConfigError(diagnostics: all)
        }
        return configuration
    }

    /// toml++ says "Error while parsing table header: expected ']', saw '\\n'"; the diagnostic already says
    /// "error", so the sentence is recast to read on from it.
    static func syntaxMessage(_ message: String) -> String {
        let prefix = "Error while "
        guard message.hasPrefix(prefix) else { return "TOML syntax error: \(message)" }
        return "TOML syntax error while " + message.dropFirst(prefix.count)
    }

    /// By file (in reading order), then line and column; stable for diagnostics at the same place.
    static func ordered(_ diagnostics: [Diagnostic], files: [String]) -> [Diagnostic] {
        let order = Dictionary(files.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return diagnostics.enumerated()
            .sorted { lhs, rhs in
                let left = (order[lhs.element.file] ?? files.count, lhs.element.line, lhs.element.column, lhs.offset)
                let right = (order[rhs.element.file] ?? files.count, rhs.element.line, rhs.element.column, rhs.offset)
                return left < right
            }
            .map(\.element)
    }

    // MARK: Files

    struct ReadProblem: Error {
        var position: SourcePosition
        var message: String

        func diagnostic(file: String) -> Diagnostic {
            Diagnostic(file: file, line: position.line, column: position.column, message: message)
        }
    }

    /// The file's text; errors say why in the system's words ("No such file or directory").
    static func readText(atPath path: String) -> Result<String, ReadProblem> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(systemProblem(errno)) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(systemProblem(errno))
            }
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(ReadProblem(position: firstInvalidUTF8(in: bytes), message: "invalid UTF-8 in the file"))
        }
        return .success(text)
    }

    private static func systemProblem(_ code: Int32) -> ReadProblem {
        ReadProblem(position: .start, message: "cannot read configuration: \(String(cString: strerror(code)))")
    }

    /// Where decoding first fails, as a line and column of the text before it.
    private static func firstInvalidUTF8(in bytes: [UInt8]) -> SourcePosition {
        var position = SourcePosition.start
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" {
                    position.line += 1
                    position.column = 1
                } else {
                    position.column += 1
                }
            case .emptyInput, .error:
                return position
            }
        }
    }

    /// `*.toml` names in a directory, byte-wise sorted like `ls` in the C locale; none when it does not exist.
    static func dropInNames(in directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names
            .filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") }
            .filter { name in
                var isDirectory: ObjCBool = false
                let path = (directory as NSString).appendingPathComponent(name)
                return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

extension LoadEnvironment {
    /// The machine's zone and group database.
    static var system: LoadEnvironment {
        let local = TimeZone.current.identifier
        return LoadEnvironment(
            localTimeZone: ZoneRules.named(local) == nil ? "UTC" : local,
            groupExists: { name in groupExists(name) })
    }

    private static func groupExists(_ name: String) -> Bool {
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var size = 16_384
        while true {
            var buffer = [CChar](repeating: 0, count: size)
            let status = getgrnam_r(name, &group, &buffer, buffer.count, &result)
            // A group with many members needs a larger buffer; anything else is an answer.
            guard status == ERANGE, size < 1 << 24 else { return status == 0 && result != nil }
            size *= 4
        }
    }
}
