import Foundation

/// The real release `orkestrond`, started in a temporary folder with a generated configuration (state, socket
/// and log in that folder: no root paths, no systemd), logging at its default level to a file as it would to
/// the journal.
struct DaemonUnderTest {
    let folder: TemporaryFolder
    let process: ChildProcess
    var socketPath: String { folder.path + "/orkestron.sock" }

    /// Writes `config`, starts the daemon and waits until its socket answers `daemon.status`.
    static func start(binDir: String, config: String, label: String) throws -> DaemonUnderTest {
        // A daemon that closes a connection must fail a write with EPIPE, not end the benchmark.
        signal(SIGPIPE, SIG_IGN)
        let folder = try TemporaryFolder(label)
        let configPath = folder.path + "/orkestron.toml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let binary = binDir + "/orkestrond"
        guard access(binary, X_OK) == 0 else { throw BenchError("\(binary) is missing: build the release first") }
        let process = try ChildProcess.spawn(
            [
                binary, "--config", configPath, "--state-dir", folder.path + "/state", "--socket",
                folder.path + "/orkestron.sock", "--log-target", "stderr",
            ],
            stderr: folder.path + "/orkestrond.log")
        let daemon = DaemonUnderTest(folder: folder, process: process)
        let deadline = Statistics.nowNanos() + 60_000_000_000
        while Statistics.nowNanos() < deadline {
            if let socket = try? LineSocket(path: daemon.socketPath),
                (try? socket.call(#"{"jsonrpc":"2.0","id":0,"method":"daemon.status"}"#)) != nil
            {
                socket.close()
                return daemon
            }
            var status: Int32 = 0
            if waitpid(process.pid, &status, WNOHANG) == process.pid {
                let log = (try? String(contentsOfFile: folder.path + "/orkestrond.log", encoding: .utf8)) ?? ""
                throw BenchError("orkestrond exited at start: \(log.suffix(2000))")
            }
            usleep(20_000)
        }
        daemon.stop()
        throw BenchError("orkestrond did not answer within 60 s")
    }

    /// SIGTERM, wait for the exit, remove the folder.
    func stop() {
        kill(process.pid, SIGTERM)
        process.wait()
        folder.remove()
    }
}
