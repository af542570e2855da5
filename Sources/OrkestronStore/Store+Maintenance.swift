import GRDB
import OrkestronCore

extension Store {
    /// Rows deleted per transaction by `prune`, so the engine's appends never wait long behind it.
    public static let defaultPruneBatchSize = 2_000

    /// Deletes history older than `cutoff`: final runs that finished before it, with their attempts, then the
    /// events before it that belong to no remaining run (job-level events and those of deleted runs). Active
    /// runs and every event of a kept run stay. Works in batches of small transactions; returns the number of
    /// rows deleted (runs, attempts and events together). `batchSize` bounds the runs, and the events, that one
    /// transaction deletes.
    @discardableResult
    public func prune(before cutoff: Instant, batchSize: Int = defaultPruneBatchSize) throws(StoreError) -> Int {
        let cutoffMs = cutoff.millisecondsSinceEpoch
        let batch = max(batchSize, 1)
        var deleted = 0

        while true {
            let (runs, rows) = try write("prune runs") { db -> (Int, Int) in
                let ids = try String.fetchAll(
                    db,
                    sql: "SELECT run_id FROM run WHERE final = 1 AND finished_ms < ? ORDER BY finished_ms LIMIT ?",
                    arguments: [cutoffMs, batch])
                let deleteAttempts = try db.cachedStatement(sql: "DELETE FROM attempt WHERE run_id = ?")
                let deleteRun = try db.cachedStatement(sql: "DELETE FROM run WHERE run_id = ?")
                var rows = 0
                for id in ids {
                    try deleteAttempts.execute(arguments: [id])
                    rows += db.changesCount
                    try deleteRun.execute(arguments: [id])
                    rows += db.changesCount
                }
                return (ids.count, rows)
            }
            deleted += rows
            if runs < batch { break }
        }

        try write("prune events") { db in
            // Deleting the newest events must not let a restart reuse their sequence numbers.
            try db.execute(
                sql: """
                    INSERT INTO meta (key, value) VALUES (?, CAST(? AS TEXT))
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    """,
                arguments: [MetaKey.prunedThroughSeq, try Self.lastSeq(db)])
        }
        while true {
            let rows = try write("prune events") { db -> Int in
                try db.execute(
                    sql: """
                        DELETE FROM event WHERE seq IN (
                            SELECT seq FROM event AS e
                            WHERE e.time_ms < ?
                                AND (e.run_id IS NULL OR NOT EXISTS (SELECT 1 FROM run WHERE run.run_id = e.run_id))
                            ORDER BY e.seq LIMIT ?
                        )
                        """,
                    arguments: [cutoffMs, batch])
                return db.changesCount
            }
            deleted += rows
            if rows < batch { break }
        }
        return deleted
    }

    /// SQLite's own consistency check: `"ok"`, or the problems it found, one per line.
    public func integrityCheck() throws(StoreError) -> String {
        try read("check integrity") { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "\n")
        }
    }

    /// Stores a daemon-level value (e.g. the seed it drew when none was configured).
    public func setMeta(_ key: String, _ value: String) throws(StoreError) {
        try write("set meta \(key)") { db in
            try db.execute(
                sql: """
                    INSERT INTO meta (key, value) VALUES (?, ?)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    """,
                arguments: [key, value])
        }
    }

    /// A daemon-level value, or nil when it was never set.
    public func meta(_ key: String) throws(StoreError) -> String? {
        try read("read meta \(key)") { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
        }
    }
}
