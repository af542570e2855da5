#!/usr/bin/env python3
"""Peer of `orkbench history-writes`: raw SQLite inserts of the rows the daemon's history holds per run.

Creates a new database per repeat from the DDL of the daemon's own database (--schema-from, as `.schema` prints
it), with the daemon's PRAGMAs, then inserts RUNS runs (1 run row, 1 attempt row, 4 event rows each, in their
final form) in transactions of BATCH_RUNS runs with executemany. The rows are built before the clock starts.
Prints one JSON object: runs per second of every repeat (after --warmup runs) and the SQLite version.
orkbench calls it once per repeat, between its own, so that a change in the machine's load hits both alike.
"""
import argparse
import json
import os
import sqlite3
import time

PRAGMAS = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA cache_size = -32768",
    "PRAGMA wal_autocheckpoint = 8192",
    "PRAGMA journal_size_limit = 67108864",
]


def schema(path):
    source = sqlite3.connect(path)
    statements = [row[0] for row in source.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "AND tbl_name IN ('run', 'attempt', 'event') ORDER BY type DESC, name")]
    source.close()
    return statements


def rows(runs, jobs, batch_runs):
    """The same values orkbench's HistoryWrites.events produces, in their final form."""
    base = 1_800_000_000_000
    batches = []
    run_rows, attempt_rows, event_rows = [], [], []
    seq = 1
    for index in range(runs):
        job = "job_%03d" % (index % jobs)
        run_id = "%s-%06d" % (job, index // jobs + 1)
        t0 = base + index * 10
        run_rows.append((run_id, job, "schedule", t0, t0, t0, t0 + 1, t0 + 6, "SUCCESS", 1, 1, 0))
        attempt_rows.append((run_id, 1, t0, t0 + 1, t0 + 6, "SUCCESS", 0, 5))
        # seq, time_ms, job_id, run_id, status, attempt, duration_ms, trigger, slot_ms, exit_code, lateness_ms,
        # queue_wait_ms
        event_rows += [
            (seq, t0, job, run_id, "SCHEDULED", None, None, "schedule", t0, None, None, None),
            (seq + 1, t0, job, run_id, "QUEUED", 1, None, "schedule", t0, None, None, None),
            (seq + 2, t0 + 1, job, run_id, "RUNNING", 1, None, None, t0, None, 1, 1),
            (seq + 3, t0 + 6, job, run_id, "SUCCESS", 1, 5, None, None, 0, None, None),
        ]
        seq += 4
        if len(run_rows) == batch_runs:
            batches.append((run_rows, attempt_rows, event_rows))
            run_rows, attempt_rows, event_rows = [], [], []
    if run_rows:
        batches.append((run_rows, attempt_rows, event_rows))
    return batches


def write(path, ddl, batches):
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        db.execute(pragma)
    for statement in ddl:
        db.execute(statement)
    start = time.monotonic()
    for run_rows, attempt_rows, event_rows in batches:
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO run (run_id, job_id, \"trigger\", slot_ms, created_ms, queued_ms, started_ms, finished_ms, "
            "status, attempt, final, exit_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", run_rows)
        db.executemany(
            "INSERT INTO attempt (run_id, number, queued_ms, started_ms, finished_ms, status, exit_code, duration_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", attempt_rows)
        db.executemany(
            "INSERT INTO event (seq, time_ms, job_id, run_id, status, attempt, duration_ms, \"trigger\", slot_ms, "
            "exit_code, lateness_ms, queue_wait_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", event_rows)
        db.execute("COMMIT")
    elapsed = time.monotonic() - start
    db.close()
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema-from", required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--runs", type=int, default=20000)
    parser.add_argument("--batch-runs", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="unreported runs first (0 when interleaved)")
    args = parser.parse_args()
    ddl = schema(args.schema_from)
    batches = rows(args.runs, args.jobs, args.batch_runs)
    rates = []
    for index in range(args.repeats + args.warmup):
        path = os.path.join(args.folder, "peer-%d.db" % index)
        elapsed = write(path, ddl, batches)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
        if index >= args.warmup:
            rates.append(args.runs / elapsed)
    print(json.dumps({"perSecond": rates, "sqlite": sqlite3.sqlite_version, "ddl": ddl}))


if __name__ == "__main__":
    main()
