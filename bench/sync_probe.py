#!/usr/bin/env python3
"""The disk alone, without Tidings: appends to a file and syncs it at a steady rate, as a
store that commits each callback on its own does, and prints how long each sync took.

    bench/sync_probe.py [--rate 2500] [--seconds 15] [--bytes 53000] [--directory /tmp]

Callbacks are due on a schedule of --rate a second; like Tidings' group commit, each write
takes every callback due by then, appends --bytes for each (53,000: about the 13 pages of
log a one-callback commit writes) and calls fdatasync once. A callback waits from when it
was due to the end of the sync that covered it, so a stall of the disk shows as it would
to a callback. Prints p50, p99, p99.9 and the worst wait in milliseconds, and how many
callbacks waited more than 50 ms. The file is removed afterwards.
"""
import argparse
import os
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=2500)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--bytes", type=int, default=53_000)
    parser.add_argument("--directory", default=tempfile.gettempdir())
    arguments = parser.parse_args()

    block = os.urandom(arguments.bytes)
    descriptor, path = tempfile.mkstemp(prefix="sync-probe-", dir=arguments.directory)
    waits = []
    try:
        interval = 1 / arguments.rate
        start = time.perf_counter()
        steps = int(arguments.rate * arguments.seconds)
        next_due = 0
        while next_due < steps:
            now = time.perf_counter()
            first_due = start + next_due * interval
            if now < first_due:
                time.sleep(first_due - now)
                now = time.perf_counter()
            due = min(steps, int((now - start) / interval) + 1)
            for _ in range(next_due, due):
                os.write(descriptor, block)
            os.fdatasync(descriptor)
            synced = time.perf_counter()
            waits.extend((synced - (start + step * interval)) * 1000 for step in range(next_due, due))
            next_due = due
            # Keep the file the size of a write-ahead log that is checkpointed: start again.
            if os.lseek(descriptor, 0, os.SEEK_CUR) > 4_000_000:
                os.lseek(descriptor, 0, os.SEEK_SET)
    finally:
        os.close(descriptor)
        os.remove(path)

    waits.sort()
    def percentile(share: float) -> float:
        return waits[min(len(waits) - 1, int(share * len(waits)))]
    print(
        f"rate={arguments.rate:g}/s steps={len(waits)} p50={percentile(0.5):.2f} p99={percentile(0.99):.2f} "
        f"p99.9={percentile(0.999):.2f} max={waits[-1]:.2f} ms; over 50 ms: {sum(w > 50 for w in waits)}")


if __name__ == "__main__":
    main()
