import Foundation

/// CPU time a process has used (user + system, /proc/PID/stat fields 14 and 15), in seconds.
///
/// Divided by the work done, it is the daemon's cost per request or per run, which the machine's load moves far
/// less than the wall-clock rate: a second measure of the same run on this shared machine.
enum ProcessCPU {
    static func seconds(pid: pid_t) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = text.lastIndex(of: ")")
        else { return 0 }
        // After "pid (comm)": field 3 is the state, so utime (14) and stime (15) are the 12th and 13th here.
        let fields = text[text.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
