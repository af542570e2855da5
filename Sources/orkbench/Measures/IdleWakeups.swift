import Foundation

/// How often an idle daemon wakes up: every thread's voluntary context switches (`/proc/PID/task/*/status`, one per
/// block-and-wake), summed at the start and the end of a window.
enum IdleWakeups {
    struct Outcome {
        var wakeups: Double
        /// "thread TID NAME" → its switches in the window, for the threads that had any; "ended …" for threads gone.
        var perThread: [String: Double]
    }

    static func measure(pid: pid_t, seconds: Double) async throws -> Outcome {
        let before = ProcessSample.voluntarySwitches(pid: pid)
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1_000)))
        let after = ProcessSample.voluntarySwitches(pid: pid)
        // Per thread alive at the end (a thread born meanwhile counts from 0; one that ended took its count with
        // it, so the sum is a lower bound only when threads came and went, which the details show).
        var perThread: [String: Double] = [:]
        var wakeups = 0.0
        for (thread, count) in after.threads {
            let delta = count - (before.threads[thread] ?? 0)
            wakeups += Double(delta)
            if delta != 0 { perThread["thread \(thread)"] = Double(delta) }
        }
        for thread in before.threads.keys where after.threads[thread] == nil { perThread["ended \(thread)"] = 0 }
        return Outcome(wakeups: wakeups, perThread: perThread)
    }
}
