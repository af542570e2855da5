import ArgumentParser
import OrkestronConsole
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
        print(StatusView.render(status))
    }
}
