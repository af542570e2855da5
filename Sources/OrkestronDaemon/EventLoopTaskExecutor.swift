import NIOCore

/// Runs a task's jobs on one NIO event loop: a connection's task, given this as its executor preference, runs
/// on the thread that reads and writes its socket.
///
/// Without it, each request crossed threads twice: the event loop handed the line to a task on Swift's global
/// pool (a futex wake-up) and the task handed the answer back to the event loop (an eventfd wake-up), which
/// cost more than the request's own work. With it, the line is handled right after the event loop's read, and
/// the answer is written from the same thread (`NIOAsyncChannel` writes directly when on its loop). Calls into
/// the engine driver still hop to the engine's own thread (`EngineExecutor`), which keeps the due runs first.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
