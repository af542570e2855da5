#!/usr/bin/env python3
"""The peers of `orkbench cron`: systemd-analyze calendar, croniter and cronsim on orkbench's cron mix.

orkbench writes the mix (one entry per cron expression and zone: the start instant, the number of fire times to
compute, and the first fire times the test vectors expect) to a JSON file; this script answers on stdout with one
JSON object: per peer, per entry, whether it can evaluate the expression and the CPU seconds it took for each
repeat. orkbench computes the rates and ratios; this script only measures.

Each peer does the same work as ours: from the entry's start, `iterations` successive next-fire evaluations, the
expression parsed once beforehand.

- systemd-analyze calendar is a program, so its start-up is measured away: it runs with --iterations=1 and with
  --iterations=N, and the difference of their CPU time (user + system, from wait4) is the cost of N - 1
  evaluations. Its output (the elapse lines it prints per iteration) is part of that cost and cannot be turned
  off. The zone comes from the TZ environment variable, not the zone suffix of the calendar syntax: with the
  suffix, systemd forks a child for every evaluation to switch zones (about 100 times slower), which would
  measure fork(), not calendar arithmetic. TZ is always set (TZ=UTC for UTC): without it glibc re-reads
  /etc/localtime on every localtime() call.
- croniter and cronsim run in this process: the iterator is built outside the timed loop, and
  time.process_time() measures the loop.

`--table` prints the cron → OnCalendar translation of every entry as a Markdown table instead.
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import time
import zoneinfo

# --------------------------------------------------------------------------------------------------------------
# cron → systemd OnCalendar

MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}
MONTHS = {name: number for number, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
WEEKDAYS = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
SYSTEMD_WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]


class Untranslatable(Exception):
    """An expression systemd's calendar syntax cannot express; the message says why."""


def value(token, names):
    token = token.lower()
    return names[token] if token in names else int(token)


def numeric_field(text, low, high, names={}):
    """A minute, hour, day-of-month or month field in systemd syntax: `*`, lists, `a..b`, `a/n`, `a..b/n`."""
    if text in ("*", "?"):
        return "*"
    parts = []
    for item in text.split(","):
        base, _, step = item.partition("/")
        if base == "*":
            start, end = low, high
            # `*/n` is `low/n`; systemd's `low/n` runs to the field's maximum like cron's.
            parts.append(f"{start:02d}/{int(step)}" if step else "*")
            continue
        # `L`, `W` and `#` belong to the day fields; month names (`jul`) may contain the letters.
        if not names and re.search(r"[LW#]", base, re.IGNORECASE):
            raise Untranslatable(f"`{item}` has no OnCalendar equivalent in a list")
        first, dash, last = base.partition("-")
        start = value(first, names)
        end = value(last, names) if dash else (high if step else start)
        if step and start + int(step) > end:
            # A step that never reaches a second value is the start alone; systemd rejects `20/5` for hours.
            step = ""
            end = start
        if end == start:
            parts.append(f"{start:02d}")
        else:
            parts.append((f"{start:02d}/" if not dash else f"{start:02d}..{end:02d}/") + step if step
                         else f"{start:02d}..{end:02d}")
    return ",".join(parts)


def weekday_set(text):
    """The weekdays (0 = Sunday) of a plain day-of-week field; systemd has no steps here, so they are listed."""
    days = set()
    for item in text.split(","):
        base, _, step = item.partition("/")
        step = int(step) if step else 1
        if base == "*":
            start, end = 0, 6
        else:
            first, dash, last = base.partition("-")
            start = value(first, WEEKDAYS)
            end = value(last, WEEKDAYS) if dash else (7 if step > 1 or "/" in item else start)
        days.update(day % 7 for day in range(start, end + 1, step))
    return days


def weekday_list(days):
    """Weekdays as systemd writes them, Monday first, runs of three or more as ranges (`Mon..Fri`)."""
    order = [1, 2, 3, 4, 5, 6, 0]
    present = [day in days for day in order]
    parts, index = [], 0
    while index < 7:
        if not present[index]:
            index += 1
            continue
        end = index
        while end + 1 < 7 and present[end + 1]:
            end += 1
        names = [SYSTEMD_WEEKDAYS[order[i]] for i in range(index, end + 1)]
        parts.append(f"{names[0]}..{names[-1]}" if len(names) >= 3 else ",".join(names))
        index = end + 1
    return ",".join(parts)


def to_calendar(expression):
    """The OnCalendar expression with cron's meaning, or Untranslatable."""
    expression = MACROS.get(expression.lower(), expression)
    fields = expression.split()
    if len(fields) != 5:
        raise Untranslatable("not a 5-field expression")
    minute, hour, dom, month, dow = fields
    dom_restricted = not (dom.startswith("*") or dom == "?")
    dow_restricted = not (dow.startswith("*") or dow == "?")
    if dom_restricted and dow_restricted:
        # cron fires when either day field matches (Vixie rule); OnCalendar requires both.
        raise Untranslatable("day of month OR day of week (cron's either-day rule); OnCalendar ANDs them")
    weekdays = ""
    if dom.upper() == "L":
        separator, day = "~", "01"
    elif re.search(r"W", dom, re.IGNORECASE):
        raise Untranslatable("`W` (nearest weekday) has no OnCalendar equivalent")
    else:
        separator, day = "-", numeric_field(dom, 1, 31)
    if dow_restricted:
        nth = re.fullmatch(r"(\w+)#([1-5])", dow)
        last = re.fullmatch(r"(\w+)L", dow, re.IGNORECASE)
        if (nth or last) and dom not in ("*", "?"):
            raise Untranslatable("`#` or `L` in day of week with a day-of-month step: both would set the days")
        if nth:
            # The k-th weekday n is weekday n on days 7k-6..7k.
            week = int(nth.group(2))
            weekdays = weekday_list({value(nth.group(1), WEEKDAYS) % 7})
            day = f"{7 * week - 6:02d}..{min(7 * week, 31):02d}"
        elif last:
            # The last weekday n is weekday n among the month's last seven days.
            weekdays = weekday_list({value(last.group(1), WEEKDAYS) % 7})
            separator, day = "~", "07/1"
        elif re.search(r"[L#]", dow, re.IGNORECASE):
            raise Untranslatable("`#` or `L` in a day-of-week list has no OnCalendar equivalent")
        else:
            weekdays = weekday_list(weekday_set(dow))
    elif dow not in ("*", "?"):
        # `*/n` and the like: a day must match both fields, as in OnCalendar.
        days = weekday_set(dow)
        if len(days) < 7:
            weekdays = weekday_list(days)
    calendar = f"*-{numeric_field(month, 1, 12, MONTHS)}{separator}{day} " \
        f"{numeric_field(hour, 0, 23)}:{numeric_field(minute, 0, 59)}:00"
    return f"{weekdays} {calendar}" if weekdays else calendar


# --------------------------------------------------------------------------------------------------------------
# Measuring


def run_systemd(calendar, zone, base, iterations, capture=False):
    """CPU seconds (user + system) of one systemd-analyze run, and its output when asked for."""
    env = dict(os.environ, TZ=zone)
    process = subprocess.Popen(
        ["systemd-analyze", "calendar", f"--base-time=@{base}", f"--iterations={iterations}", calendar],
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    output = process.stdout.read().decode() if capture else ""
    errors = process.stderr.read().decode().strip().splitlines()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"systemd-analyze calendar gave up after fewer than {iterations} elapses: "
                           + (errors[0] if errors else f"exit status {process.returncode}"))
    return usage.ru_utime + usage.ru_stime, output


def systemd_fires(output):
    """Epoch seconds of the elapses systemd-analyze printed (the `(in UTC)` line when the zone is not UTC)."""
    fires, lines = [], output.splitlines()
    for index, line in enumerate(lines):
        if not re.match(r"\s*(Next elapse|Iter\. #\d+):", line):
            continue
        utc = line
        if index + 1 < len(lines) and "(in UTC)" in lines[index + 1]:
            utc = lines[index + 1]
        stamp = re.search(r"\w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", utc)
        if stamp:
            moment = datetime.datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S")
            fires.append(int(moment.replace(tzinfo=datetime.timezone.utc).timestamp()))
    return fires


def measure_systemd(entries, repeats):
    results = []
    for entry in entries:
        result = {"supported": False}
        try:
            calendar = to_calendar(entry["expr"])
        except Untranslatable as why:
            result["reason"] = str(why)
            results.append(result)
            continue
        result.update(supported=True, translation=calendar)
        expected = entry["expected"]
        try:
            _, output = run_systemd(calendar, entry["tz"], entry["from"], len(expected), capture=True)
        except RuntimeError as error:
            results.append({"supported": False, "translation": calendar, "reason": str(error)})
            continue
        result["agrees"] = systemd_fires(output) == expected
        seconds = []
        try:
            for _ in range(repeats):
                one, _ = run_systemd(calendar, entry["tz"], entry["from"], 1)
                many, _ = run_systemd(calendar, entry["tz"], entry["from"], entry["iterations"])
                seconds.append(many - one)
        except RuntimeError as error:
            # systemd 252 stops with "Infinite loop in calendar calculation" on some zone transitions.
            results.append({"supported": False, "translation": calendar, "reason": str(error)})
            continue
        result.update(evaluations=entry["iterations"] - 1, seconds=seconds)
        results.append(result)
    return results


def measure_python(entries, repeats, make_iterator, next_fire, epoch):
    results = []
    for entry in entries:
        zone = zoneinfo.ZoneInfo(entry["tz"])
        start = datetime.datetime.fromtimestamp(entry["from"], tz=zone)
        try:
            iterator = make_iterator(entry["expr"], start)
            fires = [int(epoch(next_fire(iterator))) for _ in entry["expected"]]
        except Exception as error:  # The library rejects the syntax: not part of its mix.
            results.append({"supported": False, "reason": f"{type(error).__name__}: {error}"})
            continue
        seconds, iterations = [], entry["iterations"]
        for _ in range(repeats):
            iterator = make_iterator(entry["expr"], start)
            began = time.process_time()
            for _ in range(iterations):
                next_fire(iterator)
            seconds.append(time.process_time() - began)
        results.append({"supported": True, "agrees": fires == entry["expected"], "evaluations": iterations,
                        "seconds": seconds})
    return results


def croniter_peer(entries, repeats):
    import croniter
    # get_next(float) returns the epoch instant without building a datetime: croniter's cheapest answer.
    return version_of("croniter"), measure_python(
        entries, repeats, lambda expression, start: croniter.croniter(expression, start),
        lambda iterator: iterator.get_next(float), lambda fire: fire)


def cronsim_peer(entries, repeats):
    import cronsim
    # An aware datetime is cronsim's only answer; the timed loop takes it as it comes.
    return version_of("cronsim"), measure_python(
        entries, repeats, lambda expression, start: cronsim.CronSim(expression, start),
        lambda iterator: next(iterator), lambda fire: fire.timestamp())


def version_of(package):
    from importlib import metadata
    return metadata.version(package)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mix", required=True, help="the mix orkbench wrote (JSON)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--peers", default="systemd,croniter,cronsim")
    parser.add_argument("--table", action="store_true", help="print the translation table and exit")
    arguments = parser.parse_args()
    with open(arguments.mix) as file:
        entries = json.load(file)

    if arguments.table:
        print("| cron | zone | OnCalendar (zone from TZ) |")
        print("|---|---|---|")
        for entry in entries:
            try:
                calendar = f"`{to_calendar(entry['expr'])}`"
            except Untranslatable as why:
                calendar = f"— ({why})"
            print(f"| `{entry['expr']}` | {entry['tz']} | {calendar} |")
        return

    peers = {}
    for peer in arguments.peers.split(","):
        if peer == "systemd":
            version = subprocess.run(["systemd-analyze", "--version"], capture_output=True, text=True)
            peers["systemd-analyze calendar"] = {
                "version": version.stdout.split("\n")[0], "entries": measure_systemd(entries, arguments.repeats)}
        elif peer in ("croniter", "cronsim"):
            try:
                version, results = (croniter_peer if peer == "croniter" else cronsim_peer)(entries, arguments.repeats)
            except ImportError:
                print(f"{peer} is not installed (make bench-deps)", file=sys.stderr)
                continue
            peers[peer] = {"version": f"{peer} {version} (Python {sys.version.split()[0]})", "entries": results}
        else:
            parser.error(f"unknown peer {peer}")
    json.dump({"peers": peers}, sys.stdout)


if __name__ == "__main__":
    main()
