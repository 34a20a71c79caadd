"""The receiver a careful team writes: Flask, the `twilio` package's RequestValidator, and
SQLite in WAL mode — the peer Tidings is measured against (bench/run.sh).

    BENCH_DB=/tmp/peer.sqlite BENCH_PUBLIC_URL=http://bench.invalid BENCH_AUTH_TOKEN=… \\
        gunicorn -w $((2 * $(nproc) + 1)) -b 127.0.0.1:8090 flask_receiver:app

It validates each request as Twilio's docs show, upserts the latest status per SID and
appends every callback to a history table, in one transaction per callback. Each worker
keeps one connection; the database is in WAL mode with synchronous=FULL, so every
acknowledged callback survives a power loss, as with Tidings' default.

Run as a script, it fills a database with COUNT delivered messages (a history row each),
so that the peer starts from a store as full as Tidings' in the same run:

    python3 flask_receiver.py --fill /tmp/peer.sqlite 1000000
"""
import os
import sqlite3
import sys

from flask import Flask, abort, request
from twilio.request_validator import RequestValidator

app = Flask(__name__)
# Unset when the script fills a database (below), where no request is served.
validator = RequestValidator(os.environ.get("BENCH_AUTH_TOKEN", ""))
public_url = os.environ.get("BENCH_PUBLIC_URL", "").rstrip("/")
connection = None


def open_database(path):
    """A connection to `path` in WAL mode with synchronous=FULL, the schema made."""
    database = sqlite3.connect(path, timeout=30, isolation_level=None)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA synchronous=FULL")
    database.execute(
        "CREATE TABLE IF NOT EXISTS messages (sid TEXT PRIMARY KEY, status TEXT, error_code TEXT, updated TEXT)")
    database.execute("CREATE TABLE IF NOT EXISTS history (sid TEXT, status TEXT, error_code TEXT, received TEXT)")
    return database


def connect():
    """This worker's connection, opened on its first callback."""
    global connection
    if connection is None:
        connection = open_database(os.environ["BENCH_DB"])
    return connection


def fill(path, count):
    """Stores `count` delivered messages with a history row each, SIDs as bench/fill
    gives Tidings' store (SMf1 and the number in hex)."""
    database = open_database(path)
    database.execute("BEGIN")
    database.execute(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?) "
        "INSERT INTO messages SELECT printf('SMf1%030x', i), 'delivered', NULL, datetime('now') FROM n",
        (count,))
    database.execute("INSERT INTO history SELECT sid, status, error_code, updated FROM messages")
    database.execute("COMMIT")
    database.close()


@app.post("/twilio/status")
def status():
    url = public_url + request.full_path.rstrip("?")
    if not validator.validate(url, request.form, request.headers.get("X-Twilio-Signature", "")):
        abort(403)
    sid, status, error = request.form["MessageSid"], request.form["MessageStatus"], request.form.get("ErrorCode")
    database = connect()
    database.execute("BEGIN IMMEDIATE")
    try:
        database.execute("INSERT INTO history VALUES (?, ?, ?, datetime('now'))", (sid, status, error))
        database.execute(
            "INSERT INTO messages VALUES (?, ?, ?, datetime('now')) ON CONFLICT (sid) DO UPDATE "
            "SET status = excluded.status, error_code = excluded.error_code, updated = excluded.updated",
            (sid, status, error))
        database.execute("COMMIT")
    except BaseException:
        database.execute("ROLLBACK")
        raise
    return "", 204


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "--fill" or not sys.argv[3].isdigit():
        sys.exit("usage: flask_receiver.py --fill DATABASE COUNT")
    fill(sys.argv[2], int(sys.argv[3]))
