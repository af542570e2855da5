#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// CPU time of the calling thread, in seconds.
///
/// The machine is shared: wall time would count the moments other processes take the core, CPU time only the
/// work measured. Every in-process measure runs on one thread, so the thread's clock is the measure's.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Keeps a computed value alive so the optimizer cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// What one child process cost: wall time, and the CPU time (user + system) wait4 reports for it alone.
struct ChildCost {
    var wallSeconds: Double
    var cpuSeconds: Double
    var status: Int32
}

enum ChildProcessError: Error, CustomStringConvertible {
    case spawn(String, Int32)

    var description: String {
        switch self {
        case .spawn(let program, let error): "cannot start \(program): \(String(cString: strerror(error)))"
        }
    }
}

/// Runs `arguments` (the first is the program, found in PATH) with stdout to `stdoutPath` and stderr to
/// /dev/null (or ours, with `keepStderr`), waits, and reports its cost.
func runChild(
    _ arguments: [String], stdoutPath: String = "/dev/null", keepStderr: Bool = false
) throws(ChildProcessError) -> ChildCost {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if !keepStderr { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let clock = ContinuousClock()
    let began = clock.now
    let error = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ)
    guard error == 0 else { throw .spawn(arguments[0], error) }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let wall = clock.now - began
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    return ChildCost(
        wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18,
        cpuSeconds: cpu, status: status)
}

/// A number with thousands separators, for the human lines.
func grouped(_ value: Double) -> String {
    let digits = String(Int(value.rounded()))
    var result = ""
    for (index, character) in digits.reversed().enumerated() {
        if index > 0 && index % 3 == 0 && character != "-" { result.append(",") }
        result.append(character)
    }
    return String(result.reversed())
}

struct WriteError: Error, CustomStringConvertible {
    var path: String
    var error: Int32
    var description: String { "cannot write \(path): \(String(cString: strerror(error)))" }
}

/// Writes `bytes` to `path`, replacing it. Plain POSIX: Foundation's `Data.write(to:)` links in its temporary
/// file code, whose use of mktemp makes the static link warn.
func writeFile(_ path: String, _ bytes: some Collection<UInt8>) throws(WriteError) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw WriteError(path: path, error: errno) }
    defer { close(descriptor) }
    let array = Array(bytes)
    var written = 0
    while written < array.count {
        let result = array.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, array.count - written) }
        if result < 0 {
            if errno == EINTR { continue }
            throw WriteError(path: path, error: errno)
        }
        written += result
    }
}
