import GRDB

/// The database schema as an append-only list of migrations.
///
/// Migrations name tables and columns literally and never use the app's types, so a shipped migration never
/// changes when the code does (GRDB's Migrations guide). Times are integer milliseconds since the Unix epoch in
/// columns ending in `_ms`; statuses and triggers are their wire names (`"FAILED"`, `"on_success"`).
enum StoreSchema {
    /// The `schema_version` in `meta` written by the latest migration; a database with a higher one is refused.
    static let version = 2

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: definitions, job state, runs, attempts, events, meta") { db in
            try db.create(table: "definition") { t in
                t.primaryKey("job_id", .text)
                t.column("hash", .text).notNull()
                t.column("json", .text).notNull()
                t.column("updated_ms", .integer).notNull()
            }

            try db.create(table: "job_state") { t in
                t.primaryKey("job_id", .text)
                t.column("anchor_ms", .integer)
                t.column("last_slot_ms", .integer)
                t.column("paused", .boolean).notNull().defaults(to: false)
                t.column("paused_by", .text)
                t.column("paused_at_ms", .integer)
                t.column("run_counter", .integer).notNull().defaults(to: 0)
                t.column("consecutive_failures", .integer).notNull().defaults(to: 0)
                t.column("last_success_ms", .integer)
            }

            // WITHOUT ROWID: runs and attempts are found by their text keys, so the key's B-tree holds the row
            // and each update is one seek instead of two.
            try db.create(table: "run") { t in
                t.primaryKey("run_id", .text)
                t.column("job_id", .text).notNull()
                t.column("trigger", .text).notNull()
                t.column("triggered_by_job", .text)
                t.column("triggered_by_run", .text)
                t.column("triggered_by_status", .text)
                t.column("slot_ms", .integer).notNull()
                t.column("created_ms", .integer).notNull()
                t.column("queued_ms", .integer)
                t.column("started_ms", .integer)
                t.column("finished_ms", .integer)
                // The status of the run's latest event.
                t.column("status", .text).notNull()
                // The current attempt; 0 until the run is first queued.
                t.column("attempt", .integer).notNull().defaults(to: 0)
                t.column("final", .boolean).notNull().defaults(to: false)
                t.column("exit_code", .integer)
                t.column("signal", .integer)
                t.column("reason", .text)
                t.column("retry_at_ms", .integer)
            }
            try db.create(index: "run_on_job_id_created_ms", on: "run", columns: ["job_id", "created_ms"])
            // History without a job filter is listed newest first.
            try db.create(index: "run_on_created_ms", on: "run", columns: ["created_ms"])
            try db.create(index: "run_on_status", on: "run", columns: ["status"])
            try db.create(index: "run_on_finished_ms", on: "run", columns: ["finished_ms"])

            try db.create(table: "attempt") { t in
                t.column("run_id", .text).notNull()
                t.column("number", .integer).notNull()
                t.column("queued_ms", .integer)
                t.column("started_ms", .integer)
                t.column("finished_ms", .integer)
                t.column("status", .text).notNull()
                t.column("exit_code", .integer)
                t.column("signal", .integer)
                t.column("duration_ms", .integer)
                t.column("reason", .text)
                t.primaryKey(["run_id", "number"])
            }

            try db.create(table: "event") { t in
                // INTEGER PRIMARY KEY: the rowid itself, so events are stored in seq order.
                t.primaryKey("seq", .integer)
                t.column("time_ms", .integer).notNull()
                t.column("job_id", .text).notNull()
                t.column("run_id", .text)
                t.column("status", .text).notNull()
                t.column("attempt", .integer)
                t.column("duration_ms", .integer)
                t.column("next_retry_in", .integer)
                t.column("reason", .text)
                t.column("trigger", .text)
                t.column("slot_ms", .integer)
                t.column("exit_code", .integer)
                t.column("signal", .integer)
                t.column("lateness_ms", .integer)
                t.column("queue_wait_ms", .integer)
                t.column("by", .text)
                t.column("triggered_by_job", .text)
                t.column("triggered_by_run", .text)
                t.column("triggered_by_status", .text)
            }
            try db.create(index: "event_on_job_id_seq", on: "event", columns: ["job_id", "seq"])
            try db.create(index: "event_on_run_id", on: "event", columns: ["run_id"])
            try db.create(index: "event_on_time_ms", on: "event", columns: ["time_ms"])

            try db.create(table: "meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
        }
        migrator.registerMigration("v2: process groups of running jobs") { db in
            // One row per real process the daemon has started and not yet reaped, written as the child starts
            // and deleted once it is reaped: after a `kill -9`, the rows left are the process groups a restarted
            // daemon must end. The leader's start time (field 22 of /proc/PID/stat, in clock ticks since boot)
            // tells the recorded group apart from a later process that was given the same pid.
            try db.create(table: "process_group") { t in
                t.column("run_id", .text).notNull()
                t.column("attempt", .integer).notNull()
                t.column("job_id", .text).notNull()
                t.column("pgid", .integer).notNull()
                t.column("leader_start_ticks", .integer)
                t.column("started_ms", .integer).notNull()
                t.primaryKey(["run_id", "attempt"])
            }
            try db.execute(sql: "UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        }
        return migrator
    }
}
