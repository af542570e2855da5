import ArgumentParser
import OrkestronProtocol

/// `orkctl status`: daemon health and counts.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the daemon's health and counts.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let status = try await global.call("daemon.status")
        if global.json {
            print(status.serialized)
            return
        }
        let rows: [(String, String)] = [
            ("version", status["version"]?.stringValue ?? "?"),
            ("pid", status["pid"]?.intValue.map(String.init) ?? "?"),
            ("up", RelativeTime.duration(ms: status["uptimeMs"]?.intValue ?? 0)),
            ("jobs", "\(status["jobs"]?.intValue ?? 0) (\(status["paused"]?.intValue ?? 0) paused)"),
            ("running", "\(status["running"]?.intValue ?? 0) of \(status["slots"]?.intValue ?? 0) slots"),
            ("queued", "\(status["queued"]?.intValue ?? 0)"),
            ("config", (status["configPaths"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")),
        ]
        print(Table(rows: rows.map { [$0.0, $0.1] }).render())
    }
}
