#!/usr/bin/env python3
"""Peer of `orkbench process-runs`: `xargs -P2 -n1 true` over COUNT arguments (printf'd into its stdin).

Prints one JSON object with the runs per second of every repeat (after one warm-up run): COUNT divided by the
wall time from starting xargs to its exit.
"""
import argparse
import json
import subprocess
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    arguments = "".join(f"{n}\n" for n in range(1, args.count + 1)).encode()
    rates = []
    for index in range(args.repeats + 1):
        start = time.monotonic()
        subprocess.run(["xargs", "-P2", "-n1", "true"], input=arguments, check=True)
        elapsed = time.monotonic() - start
        if index > 0:
            rates.append(args.count / elapsed)
    print(json.dumps({"count": args.count, "perSecond": rates}))


if __name__ == "__main__":
    main()
