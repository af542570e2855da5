/// The stable `MESSAGE_ID` of each kind of journal entry (listed in orkestrond(8)), so
/// `journalctl MESSAGE_ID=5b60a436fc474c8f9de1a875f685fff3` finds every failed attempt whatever its text.
/// Generated once with a random 128-bit id per kind; never change one.
public enum JournalMessageID {
    /// By the event status in the `run.status` metadata.
    public static let byStatus: [String: String] = [
        "SCHEDULED": "63cbec1b8b364c85923d50ba6546ec66",
        "QUEUED": "ef8c8804b35c4e359c03ea1521d52790",
        "RUNNING": "12a254274f8347a8a8fb885cb43656bb",
        "SUCCESS": "42e6b160f2d64b33815d819d2f41a667",
        "FAILED": "5b60a436fc474c8f9de1a875f685fff3",
        "TIMEOUT": "e0159ce2db74441d9c042a4d52893353",
        "CANCELLED": "a96fba38fba04cb0b6513af60808b89f",
        "RETRY": "133a62cf1c68434789092f3350fe3808",
        "DEFERRED": "06851e077ddc46558e887f47aa4c9239",
        "SKIPPED": "840b762e8f374e27b907f0c10ec0d6af",
        "INTERRUPTED": "3471f22163e147e3b201e14fb5eedb5f",
        "PAUSED": "f98d61cb88eb409c94e591872fdaaea0",
        "RESUMED": "d18a195c6c274a7fbc3ad2c914a6888d",
        "STALE": "fd76041e003143dbb088c58916e7651f",
        "CHAOS": "e2a2094999614859bb6388362e6d8d74",
    ]

    /// A line a job's process wrote to stdout or stderr.
    public static let processOutput = "fddfad3a32c8440db3531bbabb2ed033"
}
