import Foundation

/// One row of docs/BENCHMARKS.md with the numbers behind it, as `--json` writes it.
///
/// `ours` and each peer's `value` are medians over `repeats`; `raw` keeps every repeat so a reader can judge the
/// spread. `ratio` compares ours with the first peer on the same work (ours / peer when higher is better,
/// peer / ours otherwise), so a ratio above 1 always means we are ahead.
struct BenchmarkResult: Encodable {
    var measure: String
    var title: String
    var unit: String
    var higherIsBetter: Bool
    var ours: Double
    var raw: [Double]
    var peers: [PeerResult] = []
    var ratio: Double?
    var target: Target
    var method: String
    var machine = MachineInfo.current
    var notes: [String] = []
    /// The same measure at other sizes (the engine at 1k and 100k jobs); `ours` is then the least of them.
    var variants: [BenchmarkResult]?

    struct Target: Encodable {
        var text: String
        var met: Bool
    }

    struct PeerResult: Encodable {
        var name: String
        var version: String
        var value: Double
        var raw: [Double]
        /// Ours on exactly the work this peer did (the expressions it can evaluate), and the ratio to that.
        var oursOnSameWork: Double
        var ratio: Double
        var note: String?
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try writeFile(path, data)
    }
}

/// Where the numbers were taken: they mean little without it.
struct MachineInfo: Encodable {
    var cpu: String
    var cores: Int
    var kernel: String
    var swift: String

    static var current: MachineInfo {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
        let kernel = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8)) ?? ""
        #if compiler(>=6.2)
        let swift = "Swift 6.2 or later"
        #else
        let swift = "Swift 6"
        #endif
        return MachineInfo(
            cpu: model ?? "unknown", cores: ProcessInfo.processInfo.activeProcessorCount,
            kernel: kernel.trimmingCharacters(in: .whitespacesAndNewlines), swift: swift)
    }
}

extension Array where Element == Double {
    /// The median: the middle value, or the mean of the two middle ones.
    var median: Double {
        guard !isEmpty else { return .nan }
        let sorted = self.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
