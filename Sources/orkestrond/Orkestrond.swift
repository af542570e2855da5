import ArgumentParser
import Foundation
import Logging
import OrkestronConfig
import OrkestronDaemon
import OrkestronSystemd

/// `orkestrond`: the Orkestron daemon.
@main
struct Orkestrond: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "orkestrond",
        abstract: "Run the Orkestron job scheduler daemon.",
        discussion: """
            Loads jobs from the configuration (and conf.d/*.toml beside it), keeps all state in SQLite under the \
            state directory, runs them on the wall clock and serves the control socket for orkctl. SIGHUP reloads \
            the configuration; SIGTERM and SIGINT stop gracefully.
            """,
        version: version
    )

    enum LogTarget: String, ExpressibleByArgument, CaseIterable {
        case auto, journal, stderr
    }

    @Option(name: .long, help: "Configuration file.")
    var config = "/etc/orkestron/orkestron.toml"

    @Option(name: .long, help: "Control socket path (overrides [daemon].socket).")
    var socket: String?

    @Option(name: .customLong("state-dir"), help: "State directory (overrides [daemon].state_dir and $STATE_DIRECTORY).")
    var stateDir: String?

    @Flag(name: .customLong("check-config"), help: "Validate the configuration, print a summary and exit (78 when invalid).")
    var checkConfig = false

    @Option(
        name: .customLong("log-target"),
        help: "Where logs go: journal, stderr, or auto (the journal under systemd, i.e. when $JOURNAL_STREAM or $INVOCATION_ID is set; else stderr).")
    var logTarget: LogTarget = .auto

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: unknown level \"\(logLevel)\" (expected trace, debug, info, notice, warning, error or critical)")
        }
    }

    func run() async throws {
        let configuration: Configuration
        do {
            configuration = try ConfigLoader.load(path: config)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            let count = error.errors.count
            FileHandle.standardError.write(Data("orkestrond: \(count) error\(count == 1 ? "" : "s") in the configuration\n".utf8))
            throw ExitCode(78)
        }
        if checkConfig {
            for warning in configuration.warnings { print(warning.description) }
            print(configuration.summary())
            return
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        if Self.logsToJournal(logTarget) {
            LoggingSystem.bootstrap { _ in JournalLogHandler(identifier: "orkestrond", level: level) }
        } else {
            LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
        }
        let logger = Logger(label: "orkestrond")
        var daemon = Daemon(
            options: Daemon.Options(configPath: config, socketPath: socket, stateDirectory: stateDir, version: Self.version),
            configuration: configuration, logger: logger)
        do {
            try await daemon.run()
        } catch {
            logger.critical("orkestrond cannot run", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }

    static func logsToJournal(_ target: LogTarget) -> Bool {
        switch target {
        case .journal: return true
        case .stderr: return false
        case .auto:
            let environment = ProcessInfo.processInfo.environment
            return environment["JOURNAL_STREAM"] != nil || environment["INVOCATION_ID"] != nil
        }
    }
}
