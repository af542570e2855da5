#if canImport(Glibc)
import Glibc
#endif

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
