import ArgumentParser
import Foundation
import OrkestronClient
import OrkestronProtocol

/// `orkctl reload`: asks the daemon to reload its configuration; exit 78 when it is invalid.
struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Reload the daemon's configuration.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let result: JSONValue
        do {
            result = try await ControlClient.withConnection(socketPath: global.socketPath) { client in
                try await client.call("config.reload", .object([]))
            }
        } catch let error as ClientError {
            GlobalOptions.fail(error.description, code: 3)
        } catch let error as RPCError {
            guard error.code == -32004 else { GlobalOptions.fail(error.message, code: 1) }
            let diagnostics = error.data?["diagnostics"]?.arrayValue ?? []
            if diagnostics.isEmpty {
                FileHandle.standardError.write(Data("orkctl: \(error.message)\n".utf8))
            }
            for diagnostic in diagnostics {
                let file = diagnostic["file"]?.stringValue ?? "?"
                let line = diagnostic["line"]?.intValue.map(String.init) ?? "?"
                let column = diagnostic["column"]?.intValue.map(String.init) ?? "?"
                let severity = diagnostic["severity"]?.stringValue ?? "error"
                let message = diagnostic["message"]?.stringValue ?? ""
                FileHandle.standardError.write(Data("\(file):\(line):\(column): \(severity): \(message)\n".utf8))
            }
            throw ExitCode(78)
        }
        if global.json {
            print(result.serialized)
            return
        }
        for key in ["added", "removed", "changed", "unchanged"] {
            let ids = (result[key]?.arrayValue ?? []).compactMap(\.stringValue)
            print("\(key): \(ids.isEmpty ? "-" : ids.joined(separator: ", "))")
        }
    }
}
