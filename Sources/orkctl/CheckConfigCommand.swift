import ArgumentParser
import Foundation
import OrkestronConfig

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
            for diagnostic in error.diagnostics {
                FileHandle.standardError.write(Data("\(diagnostic.description)\n".utf8))
            }
            throw ExitCode(78)
        }
        for warning in configuration.warnings {
            FileHandle.standardError.write(Data("\(warning.description)\n".utf8))
        }
        print(configuration.summary())
    }
}
