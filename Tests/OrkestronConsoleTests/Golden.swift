import Foundation
import Testing

/// Golden files: the expected text of a view lives in `Golden/NAME`, next to this file, and a test compares the
/// rendered text with it byte for byte. `ORKESTRON_UPDATE_GOLDEN=1 swift test --filter OrkestronConsoleTests`
/// rewrites them after an intended change; review the diff before committing.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("Fixtures/" + name), encoding: .utf8)
    }

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = directory.appendingPathComponent("Golden/" + name)
        let text = actual.hasSuffix("\n") ? actual : actual + "\n"
        if ProcessInfo.processInfo.environment["ORKESTRON_UPDATE_GOLDEN"] == "1" {
            try? Data(text.utf8).write(to: url)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("golden file \(url.path) is missing; run with ORKESTRON_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        #expect(text == expected, "\(name) differs from its golden file:\n\(text)", sourceLocation: sourceLocation)
    }
}
