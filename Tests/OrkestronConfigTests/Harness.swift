import Foundation
import OrkestronCore
import Testing

@testable import OrkestronConfig

/// Loads configuration texts on a fixed host: local zone UTC, and only the group "orkestron" exists.
enum Harness {
    static let environment = LoadEnvironment(localTimeZone: "UTC", groupExists: { $0 == "orkestron" })
    static let mainPath = "orkestron.toml"

    /// The main file (reported as `orkestron.toml`) and drop-ins given as (path, text).
    static func load(_ main: String, dropIns: [(String, String)] = []) throws(ConfigError) -> Configuration {
        let sources = [ConfigSource(path: mainPath, text: main)] + dropIns.map { ConfigSource(path: $0.0, text: $0.1) }
        return try ConfigLoader.load(sources: sources, environment: environment)
    }

    /// Every diagnostic's text when loading fails; `[]` when it succeeds.
    static func diagnostics(_ main: String, dropIns: [(String, String)] = []) -> [String] {
        do {
            _ = try load(main, dropIns: dropIns)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    /// The one job of a configuration that must load.
    static func job(_ main: String, dropIns: [(String, String)] = []) throws -> JobDefinition {
        let jobs = try load(main, dropIns: dropIns).jobs
        try #require(jobs.count == 1)
        return jobs[0]
    }

    /// The repository's `config/orkestron.toml`, found from this file's path.
    static var exampleConfigPath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("config/orkestron.toml")
            .path
    }

    /// A fresh directory under the temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("orkestron-config-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
