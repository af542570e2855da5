import ArgumentParser
import Foundation
import OrkestronConsole
import OrkestronProtocol

/// `orkctl metrics [JOB] [--format table|json|prometheus]`.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "metrics", abstract: "Run metrics per job and type.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, prometheus
    }

    @Argument(help: "Only this job.")
    var job: String?

    @Option(name: .long, help: "Only jobs of this type.")
    var type: String?

    @Option(name: .long, help: "table, json or prometheus.")
    var format: Format = .table

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let result = try await global.call("metrics.get", .object(["job": JSONValue(job), "type": JSONValue(type)]))
        if global.json || format == .json {
            print(result.serialized)
        } else if format == .prometheus {
            print(PrometheusExposition.render(result), terminator: "")
        } else {
            print(MetricsTable.render(result))
        }
    }
}
