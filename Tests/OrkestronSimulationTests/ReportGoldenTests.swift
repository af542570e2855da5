import Foundation
import OrkestronCore
import OrkestronSimulation
import Testing

/// The report's text and JSON forms, byte for byte, for a small configuration that has a bit of everything.
/// `ORKESTRON_UPDATE_GOLDEN=1 swift test --filter ReportGoldenTests` rewrites them after an intended change;
/// review the diff before committing.
@Suite("Simulation report golden files")
struct ReportGoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static let config = """
        [daemon]
        max_concurrency = 3
        seed = 5
        timezone = "UTC"
        [defaults]
        retry = { max_retries = 1, backoff = "fixed", initial_delay = "30s" }
        [types.batch]
        max_concurrency = 1
        [[quiet_hours]]
        name = "night"
        from = "00:00"
        to = "02:00"
        types = ["cleanup"]
        [[job]]
        id = "batch_a"
        type = "batch"
        cron = "0 * * * *"
        duration = "2m"
        [[job]]
        id = "batch_b"
        type = "batch"
        cron = "0 * * * *"
        duration = "3m"
        deadline = "2m30s"
        [[job]]
        id = "cleanup"
        type = "cleanup"
        interval = "20m"
        duration = "10s"
        [[job]]
        id = "sync"
        type = "sync"
        interval = "1m"
        duration = "20s..80s"
        failure_rate = 0.2
        """

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = directory.appendingPathComponent(name)
        let text = actual.hasSuffix("\n") ? actual : actual + "\n"
        if ProcessInfo.processInfo.environment["ORKESTRON_UPDATE_GOLDEN"] == "1" {
            try? Data(text.utf8).write(to: url)
            return
        }
        let expected = try? String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs from its golden file:\n\(text)", sourceLocation: sourceLocation)
    }

    @Test("the text and JSON reports of a small configuration match their golden files")
    func golden() throws {
        let report = try Harness.simulate(Self.config, duration: "4h")
        Self.check(report.text, "report.txt")
        Self.check(report.json.serialized, "report.json")
    }
}
