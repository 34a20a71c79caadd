"""What each commit of a SQLite write-ahead log wrote, b-tree by b-tree.

    python3 bench/wal_pages.py COPY.sqlite COPY.sqlite-wal

Reads the frames of the log (those of the current cycle and, after them, what is left of
the previous one), splits them into commits at each commit frame, and names the b-tree of
every page with SQLite's `dbstat` over the database. Prints how many pages a commit each
b-tree's leaves and interior pages took: over all the commits, then over those that wrote
one leaf page of the
`messages` table — a commit of one callback, while a commit of many (a burst that piled
up during a slow sync) writes many and would weigh on the mean.

Work on copies: stop `tidings serve` with SIGKILL so that the log is left as it was (a
clean stop checkpoints it away), copy the database and its `-wal`, and give the copies.
Opening the copy replays the log into it, so pages are named as they are at the end; a
page that changed hands within the log is named by its last owner.
"""
import collections
import sqlite3
import statistics
import struct
import sys


def commits(log):
    """Lists of page numbers, one list per commit, in the order of the file."""
    page_size = struct.unpack(">I", log[8:12])[0]
    offset, pages, found = 32, [], []
    while offset + 24 + page_size <= len(log):
        page, size_after_commit = struct.unpack(">II", log[offset:offset + 8])
        if page == 0:
            break
        pages.append(page)
        if size_after_commit:
            found.append(pages)
            pages = []
        offset += 24 + page_size
    return page_size, found


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    database, log_path = sys.argv[1], sys.argv[2]
    with open(log_path, "rb") as file:
        page_size, found = commits(file.read())
    if not found:
        sys.exit("no commit in the log")
    print(f"page size {page_size}; {min(map(len, found))}–{max(map(len, found))} frames a commit")
    owners = {page: (name, kind) for page, name, kind in
              sqlite3.connect(database).execute("SELECT pageno, name, pagetype FROM dbstat")}
    single = [pages for pages in found if sum(owners.get(page) == ("messages", "leaf") for page in pages) == 1]
    for title, chosen in (("all commits", found), ("commits of one message's row", single)):
        if not chosen:
            continue
        sizes = [len(pages) for pages in chosen]
        print(f"{title}: {len(chosen)}, {statistics.median(sizes):g} frames (median), "
              f"{statistics.mean(sizes):.1f} (mean); pages a commit:")
        counts = collections.Counter(owners.get(page, ("(free)", "")) for pages in chosen for page in pages)
        for (name, kind), count in counts.most_common():
            print(f"{count / len(chosen):7.2f}  {name} {kind}")


main()
