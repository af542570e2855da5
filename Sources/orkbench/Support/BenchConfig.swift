/// Generated daemon configurations: many simulated jobs of zero duration (the no-op job the peer runs too), so
/// what is measured is the scheduler, not the work.
enum BenchConfig {
    /// `count` interval jobs; job `i` gets `offset(i)` (milliseconds) within its interval and the `i`-th of `types`
    /// in turn.
    ///
    /// The global slot limit is set to the job count so it never holds a run back (the peer's thread pool does
    /// not limit it either: its no-op jobs finish in microseconds); `seed` makes runs reproducible, and the
    /// short history retention keeps nothing that matters here.
    static func intervalJobs(
        count: Int, intervalMs: Int64, types: [String] = ["bench"], offset: (Int) -> Int64
    ) -> String {
        var text = """
            [daemon]
            max_concurrency = \(max(count, 8))
            seed = 1

            """
        text.reserveCapacity(count * 100)
        for index in 0..<count {
            text += """

                [[job]]
                id = "\(jobID(index))"
                type = "\(types[index % types.count])"
                interval = "\(intervalMs)ms"
                offset = "\(offset(index))ms"
                duration = "0ms"

                """
        }
        return text
    }

    static func jobID(_ index: Int) -> String {
        "job_" + String(index).leftPadded(to: 6)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
