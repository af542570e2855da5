import Foundation

/// Where the numbers were taken, which they mean little without: the CPU, its cores, the memory, the kernel and
/// system, the Swift that built the bench, the load average before and after the run, and the date.
struct MachineDescription: Codable, Sendable {
    var cpu: String
    var cores: Int
    var memoryGiB: Double
    var kernel: String
    var system: String
    var swift: String
    var loadAverageBefore: [Double]
    var loadAverageAfter: [Double]?
    var date: String

    /// The machine now; `loadAverageAfter` is filled in at the end of the run.
    static func current() -> MachineDescription {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let memoryKiB = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { $0.split(separator: " ").dropFirst().first }
            .flatMap { Double($0) } ?? 0
        let kernel = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8)) ?? ""
        let osRelease = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let system = osRelease.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        let formatter = ISO8601DateFormatter()
        return MachineDescription(
            cpu: model ?? "unknown", cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryGiB: (memoryKiB / 1_048_576 * 10).rounded() / 10,
            kernel: kernel.trimmingCharacters(in: .whitespacesAndNewlines), system: system ?? "unknown",
            swift: swiftVersion(), loadAverageBefore: loadAverages(), loadAverageAfter: nil,
            date: formatter.string(from: Date()))
    }

    /// The first line of `swift --version` (the toolchain `make bench` built with), or the compiler's own
    /// version bound when no toolchain is on the PATH.
    static func swiftVersion() -> String {
        if let folder = try? TemporaryFolder("swift-version"),
            let text = try? ChildProcess.output(["swift", "--version"], in: folder.path)
        {
            folder.remove()
            if let line = text.split(separator: "\n").first(where: { $0.contains("Swift version") }) {
                return line.trimmingCharacters(in: .whitespaces)
            }
        }
        #if compiler(>=6.3)
        return "Swift 6.3 or later"
        #else
        return "Swift 6.2"
        #endif
    }

    /// The 1-, 5- and 15-minute load averages (/proc/loadavg).
    static func loadAverages() -> [Double] {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return [] }
        return text.split(separator: " ").prefix(3).compactMap { Double($0) }
    }

    /// The 1-minute load average, recorded beside every measurement on this shared machine (-1 if unknown).
    static func loadAverage() -> Double {
        loadAverages().first ?? -1
    }

    /// One Markdown line per property, for the top of docs/BENCHMARKS.md.
    var markdown: String {
        func loads(_ values: [Double]?) -> String {
            values.map { $0.map { String(format: "%.2f", $0) }.joined(separator: " / ") } ?? "?"
        }
        return """
            - CPU: \(cpu), \(cores) cores available; \(String(format: "%.1f", memoryGiB)) GiB of memory
            - System: \(system), Linux \(kernel); \(swift)
            - Load average (1 / 5 / 15 min): \(loads(loadAverageBefore)) before, \(loads(loadAverageAfter)) after
            - Date: \(date)
            """
    }
}
