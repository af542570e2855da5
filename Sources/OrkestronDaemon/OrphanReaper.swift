import Foundation
import Logging

/// Ends the processes of runs that a killed daemon left behind.
///
/// Every process a run starts, and everything it spawns, inherits `ORKESTRON_RUN=<run id>` and
/// `ORKESTRON_INSTANCE=<this state directory's id>` in its environment. Run ids are never reused within an
/// instance, and the instance id tells apart daemons with other state directories on the same host; so on
/// restart, a process carrying both belongs to a dead attempt and is killed, whatever process group or session
/// it moved to.
enum OrphanReaper {
    /// Kills the processes of the given runs of this instance; returns the pids it signalled.
    @discardableResult
    static func reap(runIds: Set<String>, instance: String, logger: Logger) -> [Int32] {
        guard !runIds.isEmpty, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let own = getpid()
        var killed: [Int32] = []
        for entry in entries {
            guard let pid = Int32(entry), pid != own, let variables = orkestronVariables(ofProcess: pid),
                variables["ORKESTRON_INSTANCE"] == instance, let runId = variables["ORKESTRON_RUN"],
                runIds.contains(runId)
            else { continue }
            if kill(pid, SIGKILL) == 0 {
                killed.append(pid)
                logger.warning(
                    "killed a process left by a run interrupted by a daemon crash",
                    metadata: ["run.id": "\(runId)", "pid": "\(pid)"])
            }
        }
        return killed
    }

    /// The `ORKESTRON_*` variables of a process's environment, if it can be read and has any.
    static func orkestronVariables(ofProcess pid: Int32) -> [String: String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        let prefix = Array("ORKESTRON_".utf8)
        var variables: [String: String] = [:]
        for variable in data.split(separator: 0) where variable.starts(with: prefix) {
            let text = String(decoding: variable, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return variables.isEmpty ? nil : variables
    }
}
