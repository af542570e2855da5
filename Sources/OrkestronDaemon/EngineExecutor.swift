import CLinuxScheduling
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The engine actor's executor: a thread of its own, which also keeps the timer loop's clock and runs a due
/// turn of the loop before any queued request.
///
/// With the default executor a due run's wake-up went through the shared thread pool twice (the end of a
/// `Task.sleep`, or of any continuation, is resumed there first) and then waited on the actor behind every
/// request queued there. Under the load test's 200 clients both queues were long, and runs started hundreds of
/// milliseconds late although the sleep itself had ended on time. Task priorities cannot order those queues
/// (on Linux every job runs at the same priority). Here the thread waits for its next job or the timer's
/// deadline, and a deadline that has passed runs the turn (`onTimer`, on this thread, between two jobs, hence
/// isolated to the actor) before the jobs already queued: a due run waits at most for the one request being
/// answered. Jobs keep their order, so the actor's semantics are unchanged.
final class EngineExecutor: SerialExecutor, Sendable {
    /// What the engine's thread and other threads share, guarded by `mutex`. The thread holds this, not the
    /// executor, so the executor's end (with its actor's) ends the thread.
    private final class State: @unchecked Sendable {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        var jobs = JobQueue()
        /// When the timer fires (CLOCK_MONOTONIC nanoseconds), or nil when it is not armed.
        var deadline: Int64?
        /// `fire()` was called: the armed timer fires now.
        var fireRequested = false
        var onTimer: (@Sendable () -> Void)?
        /// See `EngineExecutor.niceOutcome`.
        var niceOutcome: Int32?
        var stopped = false
        var thread = pthread_t()

        init() {
            pthread_mutex_init(mutex, nil)
            // Deadlines on the monotonic clock: setting the wall clock must not lengthen or shorten a sleep. It
            // stops during a suspend, so a sleep that spans one ends its remaining part after the resume (at most
            // `EngineDriver.maximumSleepMs`, 60 s, late; `Task.sleep` had ended at once). glibc's condition
            // variables cannot wait on CLOCK_BOOTTIME; a timerfd polled beside the job signal could.
            var attributes = pthread_condattr_t()
            pthread_condattr_init(&attributes)
            pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
            pthread_cond_init(condition, &attributes)
            pthread_condattr_destroy(&attributes)
        }

        deinit {
            pthread_cond_destroy(condition)
            pthread_mutex_destroy(mutex)
            mutex.deallocate()
            condition.deallocate()
        }

        func lock() { pthread_mutex_lock(mutex) }
        func unlock() { pthread_mutex_unlock(mutex) }
        func signal() { pthread_cond_signal(condition) }

        /// The engine thread's loop: fires the timer when it is due, else runs the next job, else waits.
        func run(on executor: UnownedSerialExecutor) {
            lock()
            thread = pthread_self()
            while true {
                if let deadline, fireRequested || deadline <= EngineExecutor.monotonicNanoseconds(), let onTimer {
                    self.deadline = nil
                    fireRequested = false
                    unlock()
                    onTimer()
                    lock()
                } else if let job = jobs.pop() {
                    unlock()
                    job.runSynchronously(on: executor)
                    lock()
                } else if stopped {
                    unlock()
                    return
                } else if let deadline {
                    var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
                    pthread_cond_timedwait(condition, mutex, &time)
                } else {
                    pthread_cond_wait(condition, mutex)
                }
            }
        }
    }

    /// A first-in first-out queue of jobs that does not shift the array on every pop.
    private struct JobQueue {
        private var jobs: [UnownedJob] = []
        private var head = 0

        var count: Int { jobs.count - head }

        mutating func push(_ job: UnownedJob) { jobs.append(job) }

        mutating func pop() -> UnownedJob? {
            guard head < jobs.count else { return nil }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            return job
        }
    }

    private let state = State()

    /// The time slice the engine's thread asks the kernel for (Linux 6.12's EEVDF scheduler; 0.1 ms is its minimum).
    static let timeSliceNanoseconds: UInt64 = 100_000

    /// The nice value the daemon's engine thread asks for.
    ///
    /// Above the event loops, the store's and the pool's threads (and the jobs, which run at 0), so that a due
    /// turn gets a CPU first when they keep every CPU busy. The thread takes 15–20% of one CPU at 1,000 runs/s,
    /// so its weight costs the rest little. Measured with one event loop on 2 CPUs (`make soak`, 200 clients):
    /// loaded start lateness p99 1 ms with it, 2 ms without. Refused without CAP_SYS_NICE or an RLIMIT_NICE that
    /// allows it (the unit's `LimitNICE=-10`); the thread then keeps the process's value.
    static let engineNice: Int32 = -10

    /// What became of the nice value asked for: nil when none was asked, else 0 (applied) or the refusal's errno.
    var niceOutcome: Int32? {
        state.lock()
        defer { state.unlock() }
        return state.niceOutcome
    }

    /// `name` is the thread's name in `top -H` and `/proc` (at most 15 bytes, the kernel's limit). `nice`, when
    /// given, is the thread's nice value; RLIMIT_NICE is then lowered to 0 for the whole process, so that no job
    /// (all started later) inherits the right to raise its own priority.
    init(name: String = "orkd-engine", nice: Int32? = nil) {
        let state = self.state
        let executor = UnownedSerialExecutor(ordinary: self)
        let started = DispatchSemaphore(value: 0)
        let thread = Thread {
            // Named from inside: on Linux, Foundation's `Thread.name` set before `start()` never reaches the
            // kernel, and the thread kept the name of whichever pool thread created it. (Glibc's module does
            // not export pthread_setname_np; this file is what it writes.)
            try? String(name.utf8.prefix(15))!.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            if let nice {
                let outcome = orkestron_set_thread_nice(nice)
                _ = orkestron_drop_nice_limit()
                state.lock()
                state.niceOutcome = outcome
                state.unlock()
            }
            // A short time slice, so that a due turn's wake-up preempts a busy event-loop thread instead of
            // waiting for its slice (~1.4 ms here) to end: unloaded start lateness p99 0–1 ms instead of 1–2
            // (`make soak`). It gives the thread no more CPU time. A refusal (an old kernel ignores it, a seccomp
            // filter may refuse it) leaves the default slice, which is what the engine had before. It keeps the
            // nice value set above.
            _ = orkestron_request_time_slice(Self.timeSliceNanoseconds)
            started.signal()
            state.run(on: executor)
        }
        thread.start()
        // The thread has its name and scheduling before the executor is used.
        started.wait()
    }

    deinit {
        state.lock()
        state.stopped = true
        state.unlock()
        state.signal()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        state.lock()
        state.jobs.push(job)
        state.unlock()
        state.signal()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Lets `assumeIsolated` run the timer's turn: only this executor's thread runs the actor's code.
    func checkIsolated() {
        precondition(isOnEngineThread, "not on the engine's thread")
    }

    private var isOnEngineThread: Bool {
        state.lock()
        defer { state.unlock() }
        return pthread_equal(state.thread, pthread_self()) != 0
    }

    /// What the timer runs on the engine's thread when it fires. Set once, before the timer is first armed.
    func setTimerAction(_ action: @escaping @Sendable () -> Void) {
        state.lock()
        state.onTimer = action
        state.unlock()
    }

    /// Arms the timer to fire after `nanoseconds` (≤ 0: as soon as the current job ends), replacing any deadline.
    func arm(afterNanoseconds nanoseconds: Int64) {
        state.lock()
        state.deadline = Self.monotonicNanoseconds() + max(nanoseconds, 0)
        state.unlock()
        state.signal()
    }

    /// Fires the armed timer as soon as the current job ends (an input changed what is due). From any thread.
    func fire() {
        state.lock()
        state.fireRequested = state.deadline != nil
        state.unlock()
        state.signal()
    }

    /// Jobs waiting to run (for tests and diagnostics).
    var queuedJobs: Int {
        state.lock()
        defer { state.unlock() }
        return state.jobs.count
    }

    static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
