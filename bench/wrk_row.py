#!/usr/bin/env python3
"""One Markdown row of bench/run.sh's tables, from the outputs of one or more wrk processes
that ran side by side: their rates summed, the worst p50 and p99 of them, every non-2xx
response and socket error counted.

    wrk_row.py callbacks NAME DURATION CPU_BEFORE CPU_AFTER RSS_MB WRK_OUTPUT...
        | name | callbacks/s | p50 ms | p99 ms | non-2xx | updates % | CPU % | CPU ms a callback | RSS MB |
    wrk_row.py requests NAME RSS_MB WRK_OUTPUT...
        | name | requests/s | p50 ms | p99 ms | non-2xx | RSS MB |

CPU_BEFORE and CPU_AFTER are the servers' CPU seconds around the run; "updates %" comes
from the "Mix sent" line bench/callbacks.lua prints.
"""
import re
import sys


def milliseconds(text, percentile):
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def summary(files):
    """The rate, p50, p99, errors, updates and callbacks sent of wrk outputs run together."""
    rate, p50, p99, errors, updates, sent = 0.0, 0.0, 0.0, 0, 0, 0
    for file in files:
        text = open(file).read()
        rate += float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
        mix = re.search(r"Mix sent: (\d+) inserts, (\d+) updates, (\d+) repeats", text)
        if mix:
            updates += int(mix.group(2))
            sent += sum(int(n) for n in mix.groups())
        p50, p99 = max(p50, milliseconds(text, "50")), max(p99, milliseconds(text, "99"))
        failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
        errors += int(failed.group(1)) if failed else 0
        socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        errors += sum(int(n) for n in socket.groups()) if socket else 0
    return rate, p50, p99, errors, updates, sent


def main(kind, name, *rest):
    if kind == "callbacks":
        duration, before, after, rss, files = float(rest[0]), float(rest[1]), float(rest[2]), rest[3], rest[4:]
        rate, p50, p99, errors, updates, sent = summary(files)
        cpu = (after - before) / duration * 100
        per_callback = (after - before) * 1000 / (rate * duration) if rate else 0
        share = f"{100 * updates / sent:.0f}" if sent else "–"
        print(f"| {name} | {rate:,.0f} | {p50:.2f} | {p99:.2f} | {errors} | {share} | {cpu:.0f} | {per_callback:.2f} | {rss} |")
    elif kind == "requests":
        rss, files = rest[0], rest[1:]
        rate, p50, p99, errors, _, _ = summary(files)
        print(f"| {name} | {rate:,.0f} | {p50:.2f} | {p99:.2f} | {errors} | {rss} |")
    else:
        sys.exit(f"wrk_row.py: unknown row kind {kind!r}: callbacks or requests")


if __name__ == "__main__":
    main(*sys.argv[1:])
