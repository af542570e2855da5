import Foundation
import GRDB
import OrkestronCore

extension Store {
    /// Replaces the stored job definitions with `definitions`, in one transaction. Definitions whose hash did
    /// not change keep their `updatedAt`; those missing from the set are deleted.
    ///
    /// `now` stamps new and changed definitions; the wall clock when nil.
    public func saveDefinitions(_ definitions: [StoredDefinition], at now: Instant? = nil) throws(StoreError) {
        let stamp = (now ?? Self.wallClock()).millisecondsSinceEpoch
        try write("save definitions") { db in
            var incoming: [String: StoredDefinition] = [:]
            for definition in definitions { incoming[definition.jobId] = definition }
            let stored = try Row.fetchAll(db, sql: "SELECT job_id, hash FROM definition")
            var storedHashes: [String: String] = [:]
            for row in stored {
                storedHashes[try row.decode(atIndex: 0)] = try row.decode(atIndex: 1)
            }
            let delete = try db.cachedStatement(sql: "DELETE FROM definition WHERE job_id = ?")
            for jobId in storedHashes.keys.sorted() where incoming[jobId] == nil {
                try delete.execute(arguments: [jobId])
            }
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO definition (job_id, hash, json, updated_ms) VALUES (?, ?, ?, ?)
                ON CONFLICT (job_id) DO UPDATE SET
                    hash = excluded.hash, json = excluded.json, updated_ms = excluded.updated_ms
                """)
            let refresh = try db.cachedStatement(sql: "UPDATE definition SET json = ? WHERE job_id = ?")
            for (jobId, definition) in incoming.sorted(by: { $0.key < $1.key }) {
                if storedHashes[jobId] == definition.hash {
                    // Same hash: keep the stamp, but take the JSON in case its serialisation changed.
                    try refresh.execute(arguments: [definition.json, jobId])
                } else {
                    try upsert.execute(arguments: [jobId, definition.hash, definition.json, stamp])
                }
            }
        }
    }

    /// The stored definitions, by job id.
    public func definitions() throws(StoreError) -> [StoredDefinition] {
        try read("read definitions") { db in
            try Row.fetchAll(db, sql: "SELECT job_id, hash, json, updated_ms FROM definition ORDER BY job_id").map {
                row in
                StoredDefinition(
                    jobId: try row.decode(atIndex: 0), hash: try row.decode(atIndex: 1),
                    json: try row.decode(atIndex: 2),
                    updatedAt: Instant(millisecondsSinceEpoch: try row.decode(atIndex: 3)))
            }
        }
    }

    static func wallClock() -> Instant {
        Instant(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down)))
    }
}
