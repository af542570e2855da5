import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion without blocking a cooperative thread, capturing its output in files (a
/// child that leaves a grandchild behind cannot then hold a pipe open), and kills it when `timeout` passes.
enum CommandRunner {
    static func run(
        _ command: [String], environment: [String: String]? = nil, timeout: Duration = .seconds(30)
    ) async throws -> CommandOutcome {
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outPath = scratch + "/out"
        let errPath = scratch + "/err"
        for path in [outPath, errPath] {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw HarnessError("cannot create \(path)")
            }
        }
        guard let output = FileHandle(forWritingAtPath: outPath), let errors = FileHandle(forWritingAtPath: errPath) else {
            throw HarnessError("cannot open the output files in \(scratch)")
        }
        defer {
            try? output.close()
            try? errors.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        var timedOut = false
        while process.isRunning {
            if clock.now - start > timeout {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            // A wait that stays a wait when the task is cancelled: the child must be reaped either way.
            if (try? await Task.sleep(for: .milliseconds(5))) == nil { usleep(5_000) }
        }
        process.waitUntilExit()
        var stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        if timedOut { stderr += "\n[killed by the test after \(timeout)]" }
        return CommandOutcome(
            command: command, status: timedOut ? 124 : process.terminationStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "", stderr: stderr,
            elapsed: clock.now - start)
    }

    private static func makeScratch() throws -> String {
        var template = Array("/tmp/orkd-cmd-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
        guard made != nil else { throw HarnessError("mkdtemp failed: \(String(cString: strerror(errno)))") }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
