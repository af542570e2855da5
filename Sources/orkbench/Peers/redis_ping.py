#!/usr/bin/env python3
"""Peer of `orkbench status-rtt`: redis-benchmark's PING against redis-server on a Unix socket.

Starts redis-server by hand in a temporary folder (no TCP port, no persistence, not as a service), runs
`redis-benchmark -s SOCKET -t ping -c CLIENTS -n REQUESTS --csv` REPEATS times, and prints one JSON object:
for each of PING_INLINE and PING_MBULK the requests per second and p50/p99 latency (ms) of every repeat.
"""
import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="orkbench-redis-")
    socket_path = os.path.join(folder, "redis.sock")
    server = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", socket_path, "--unixsocketperm", "700", "--save", "",
         "--appendonly", "no", "--dir", folder, "--daemonize", "no", "--logfile", os.path.join(folder, "redis.log")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(socket_path):
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit("redis-server did not start: see " + os.path.join(folder, "redis.log"))
            time.sleep(0.02)
        results = {"PING_INLINE": {"rps": [], "p50": [], "p99": []}, "PING_MBULK": {"rps": [], "p50": [], "p99": []}}
        # One warm-up run, not reported, as orkbench warms up the daemon.
        runs = [False] + [True] * args.repeats
        for keep in runs:
            out = subprocess.run(
                ["redis-benchmark", "-s", socket_path, "-t", "ping", "-c", str(args.clients),
                 "-n", str(args.requests), "--csv"],
                check=True, capture_output=True, text=True).stdout
            if not keep:
                continue
            for row in csv.DictReader(io.StringIO(out)):
                test = row["test"]
                if test in results:
                    results[test]["rps"].append(float(row["rps"]))
                    results[test]["p50"].append(float(row["p50_latency_ms"]))
                    results[test]["p99"].append(float(row["p99_latency_ms"]))
        version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.strip()
        print(json.dumps({"version": version, "clients": args.clients, "requests": args.requests, **results}))
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
