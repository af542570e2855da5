#!/usr/bin/env python3
"""Start lateness of APScheduler 3 on the schedule `orkbench lateness` gives orkestrond.

`count` interval jobs with `interval` seconds; spread: job i's slots are offset by i * interval / count within
the interval (one slot per millisecond for 1,000 jobs every second); burst: every job is due at the same
instant. The jobs are no-ops run by APScheduler's default thread pool (10 workers); each returns the wall-clock
time (time.time(), CLOCK_REALTIME) at which it started, and the EVENT_JOB_EXECUTED listener pairs it with the
job's scheduled_run_time: lateness = actual start - scheduled time, as orkbench measures the daemon's.

Slots in [start + warmup, start + warmup + seconds) are kept. Prints nothing; writes JSON to --out:
{"peer": "APScheduler 3.x.y", "lateness_us": [...], "runs": N, "missed": N}.
"""
import argparse
import datetime
import json
import threading
import time

import apscheduler
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.schedulers.background import BackgroundScheduler


def noop():
    return time.time()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("--interval-ms", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--burst", action="store_true")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    interval = args.interval_ms / 1000.0
    # Defaults but for misfires: a late job still runs (and counts, late) rather than being dropped, as
    # orkestrond's run would.
    scheduler = BackgroundScheduler(
        timezone=datetime.timezone.utc,
        job_defaults={"misfire_grace_time": None, "coalesce": False, "max_instances": 1},
    )
    lock = threading.Lock()
    samples = []
    missed = [0]
    # Whole second, two seconds ahead: time to add every job before the first slot.
    base = float(int(time.time()) + 2)
    window_start = base + args.warmup
    window_end = window_start + args.seconds

    def listener(event):
        if event.code == EVENT_JOB_EXECUTED:
            scheduled = event.scheduled_run_time.timestamp()
            if window_start <= scheduled < window_end:
                with lock:
                    samples.append(int(round((event.retval - scheduled) * 1_000_000)))
        else:
            with lock:
                missed[0] += 1

    scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    for index in range(args.jobs):
        offset = 0 if args.burst else index * args.interval_ms // args.jobs
        start = datetime.datetime.fromtimestamp(base + offset / 1000.0, tz=datetime.timezone.utc)
        scheduler.add_job(noop, "interval", seconds=interval, start_date=start, id="job_%06d" % index)
    scheduler.start()
    time.sleep(max(0.0, window_end - time.time()) + 1.0)
    scheduler.shutdown(wait=True)
    with open(args.out, "w") as out:
        json.dump(
            {
                "peer": "APScheduler %s" % apscheduler.__version__,
                "lateness_us": samples,
                "runs": len(samples),
                "missed": missed[0],
            },
            out,
        )


if __name__ == "__main__":
    main()
