/// The daemon configuration of the soak test: enough simulated interval jobs for the target rate, spread evenly
/// over each interval, plus the two jobs the clients act on.
///
/// Every job's slots are at `anchor + offset + k × interval` (SPEC §8), and all anchors are the daemon's first
/// start, so offsets `i × interval / jobs` spread the slots evenly: with 1,000 jobs every 1 s, one slot per
/// millisecond, which is the hardest case for the engine (a timer wake-up per slot, never a batch).
struct SoakConfiguration {
    /// Simulated jobs of type `soak`, named `soak_0000`…
    var jobs: Int
    var intervalMs: Int
    /// Fixed simulated duration: short, so runs never overlap their next slot (no `overlap` skips) and few run
    /// at once (rate × duration).
    var durationMs: Int
    var seed: UInt64

    /// The manual-only job that clients trigger with `jobs.run`.
    static let manualJob = "soak_manual"
    /// The interval job that clients pause and resume.
    static let pausableJob = "soak_side"
    /// The type of the two jobs clients act on, so `jobs.list {type}` has a small answer.
    static let operationsType = "ops"
    static let simulatedType = "soak"

    static func jobID(_ index: Int) -> String {
        let digits = String(index)
        return "soak_" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Runs per second the simulated jobs make when the engine keeps up.
    var targetRunsPerSecond: Double { Double(jobs) * 1_000 / Double(intervalMs) }

    /// The TOML text (SPEC §3 keys only).
    var text: String {
        // Global slots: the runs in flight at the target rate (rate × duration) with a wide margin, so slots are
        // never what limits the rate and every start measures the engine's timing, not a queue.
        let inFlight = Int(targetRunsPerSecond * Double(durationMs) / 1_000)
        let slots = max(64, inFlight * 4)
        var lines = [
            "# Written by orkbench soak: \(jobs) simulated jobs every \(intervalMs) ms (\(Int(targetRunsPerSecond)) runs/s),",
            "# spread evenly over the interval, plus one manual and one pausable job for the clients.",
            "[daemon]",
            "max_concurrency = \(slots)",
            "seed = \(seed)",
            "timezone = \"UTC\"",
            "shutdown_grace = \"5s\"",
            "",
            "[defaults]",
            "overlap = \"skip\"",
            "missed = \"skip\"",
            "",
        ]
        for index in 0..<jobs {
            let offset = index * intervalMs / jobs
            lines += [
                "[[job]]",
                "id = \"\(Self.jobID(index))\"",
                "type = \"\(Self.simulatedType)\"",
                "interval = \"\(intervalMs)ms\"",
                "offset = \"\(offset)ms\"",
                "duration = \"\(durationMs)ms\"",
                "",
            ]
        }
        lines += [
            "[[job]]",
            "id = \"\(Self.manualJob)\"",
            "type = \"\(Self.operationsType)\"",
            "duration = \"10ms\"",
            // Clients trigger it a few dozen times per second in all; four at once keeps the queue short.
            "max_concurrency = 4",
            "overlap = \"queue\"",
            "",
            "[[job]]",
            "id = \"\(Self.pausableJob)\"",
            "type = \"\(Self.operationsType)\"",
            "interval = \"1s\"",
            "offset = \"500ms\"",
            "duration = \"10ms\"",
            "",
        ]
        return lines.joined(separator: "\n")
    }
}
