import Foundation

/// One reading of a process's memory and CPU time from /proc, and of the machine's load average; and the single
/// figures the benchmarks read on their own (a `/proc/PID/status` field, voluntary context switches, CPU time).
///
/// `VmRSS` is what the kernel charges the process; `RssAnon` is its heap and stacks alone (without mapped files
/// such as the binary and SQLite's shared WAL index), the part a leak would grow.
struct ProcessSample: Sendable, Codable {
    /// Seconds since the bench started.
    var atSeconds: Double
    var rssKiB: Int
    var rssAnonKiB: Int
    var rssFileKiB: Int
    /// User + system CPU time of the process so far, in seconds.
    var cpuSeconds: Double
    /// Time its threads were runnable but waiting for a CPU (the scheduler's run-queue delay, summed over
    /// threads), in seconds: how much other work on the machine held the daemon back.
    var runQueueSeconds: Double
    var loadAverage1m: Double

    /// Reads `pid`'s figures now; nil when the process is gone.
    static func read(pid: Int32, atSeconds: Double) -> ProcessSample? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        else { return nil }
        var fields: [Substring: Int] = [:]
        for line in status.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, ["VmRSS", "RssAnon", "RssFile"].contains(parts[0]) else { continue }
            // "VmRSS:\t   12345 kB": a tab, padding spaces, the number, the unit.
            fields[parts[0]] = Int(parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are the
        // 14th and 15th fields of the line, in clock ticks.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard rest.count > 12, let user = Double(rest[11]), let system = Double(rest[12]) else { return nil }
        return ProcessSample(
            atSeconds: atSeconds, rssKiB: fields["VmRSS"] ?? 0, rssAnonKiB: fields["RssAnon"] ?? 0,
            rssFileKiB: fields["RssFile"] ?? 0, cpuSeconds: (user + system) / ticks,
            runQueueSeconds: runQueueDelay(pid: pid), loadAverage1m: MachineDescription.loadAverage())
    }

    /// The second field of each thread's /proc/PID/task/TID/schedstat (nanoseconds waited on a run queue).
    static func runQueueDelay(pid: Int32) -> Double {
        let tasks = "/proc/\(pid)/task"
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: tasks) else { return 0 }
        var nanoseconds = 0.0
        for thread in threads {
            guard let text = try? String(contentsOfFile: "\(tasks)/\(thread)/schedstat", encoding: .utf8) else { continue }
            let fields = text.split(separator: " ")
            if fields.count > 1, let delay = Double(fields[1]) { nanoseconds += delay }
        }
        return nanoseconds / 1e9
    }

    /// This process's own CPU time (user + system), in seconds.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The value of `key` (e.g. `VmRSS`, `VmHWM`) in `/proc/PID/status`, in kB, or nil.
    static func kilobytes(_ key: String, pid: pid_t) -> Int64? {
        field(key, in: "/proc/\(pid)/status")
    }

    /// Voluntary context switches summed over every thread alive now, and per thread ("tid name" → count): each
    /// is a thread blocking and later waking up.
    static func voluntarySwitches(pid: pid_t) -> (total: Int64, threads: [String: Int64]) {
        var threads: [String: Int64] = [:]
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        for tid in tasks {
            if let count = field("voluntary_ctxt_switches", in: "/proc/\(pid)/task/\(tid)/status") {
                let name = (try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/comm", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
                threads["\(tid) \(name)"] = count
            }
        }
        return (threads.values.reduce(0, +), threads)
    }

    /// User + system CPU time of `pid` so far, in seconds (0 when it is gone).
    static func cpuSeconds(pid: pid_t) -> Double {
        read(pid: pid, atSeconds: 0)?.cpuSeconds ?? 0
    }

    private static func field(_ key: String, in path: String) -> Int64? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let value = line.dropFirst(key.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            return value.flatMap { Int64($0) }
        }
        return nil
    }
}
