import ArgumentParser
import Foundation
import OrkestronConfig
import OrkestronProtocol

/// `orkctl check-config [PATH]`: offline validation with the daemon's diagnostics.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a configuration offline (exit 78 when invalid).")

    @Argument(help: "The configuration file.")
    var path = "/etc/orkestron/orkestron.toml"

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let configuration: Configuration
        do {
            configuration = try ConfigLoader.load(path: path)
        } catch {
            report(valid: false, error.diagnostics)
            throw ExitCode(78)
        }
        report(valid: true, configuration.warnings)
        if !global.json { print(configuration.summary()) }
    }

    /// Diagnostics to stderr in the compilers' form, or with `--json` one document on stdout:
    /// `{"valid": Bool, "diagnostics": [{file, line, column, severity, message}]}`.
    func report(valid: Bool, _ diagnostics: [Diagnostic]) {
        if global.json {
            print(JSONValue.object([("valid", .bool(valid)), ("diagnostics", .array(diagnostics.map(\.json)))]).serialized)
        } else {
            for diagnostic in diagnostics {
                FileHandle.standardError.write(Data("\(diagnostic.description)\n".utf8))
            }
        }
    }
}
