import Logging
import ServiceLifecycle
import UnixSignals

/// Logs and otherwise ignores SIGUSR1 and SIGUSR2, which mean nothing to orkestrond: their default action ends
/// the process, so a stray `kill -USR1` (log rotation scripts send it to whatever a pid file names) would stop
/// the scheduler. Job processes still get the default actions: the process launcher resets every signal.
struct UnusedSignals: Service {
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigusr1, .sigusr2)
        for await signal in signals.cancelOnGracefulShutdown() {
            logger.notice("signal ignored: orkestrond gives it no meaning", metadata: ["signal": "\(signal)"])
        }
    }
}
