"""The receiver a careful team writes: Flask, the `twilio` package's RequestValidator, and
SQLite in WAL mode — the peer Tidings is measured against (bench/run.sh).

    BENCH_DB=/tmp/peer.sqlite BENCH_PUBLIC_URL=http://bench.invalid BENCH_AUTH_TOKEN=… \\
        gunicorn -w $((2 * $(nproc) + 1)) -b 127.0.0.1:8090 flask_receiver:app

It validates each request as Twilio's docs show, upserts the latest status per SID and
appends every callback to a history table, in one transaction per callback. Each worker
keeps one connection; the database is in WAL mode with synchronous=FULL, so every
acknowledged callback survives a power loss, as with Tidings' default.
"""
import os
import sqlite3

from flask import Flask, abort, request
from twilio.request_validator import RequestValidator

app = Flask(__name__)
validator = RequestValidator(os.environ["BENCH_AUTH_TOKEN"])
public_url = os.environ["BENCH_PUBLIC_URL"].rstrip("/")
database = os.environ["BENCH_DB"]
connection = None


def connect():
    """This worker's connection, opened (and the schema made) on its first callback."""
    global connection
    if connection is None:
        connection = sqlite3.connect(database, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS messages (sid TEXT PRIMARY KEY, status TEXT, error_code TEXT, updated TEXT)")
        connection.execute("CREATE TABLE IF NOT EXISTS history (sid TEXT, status TEXT, error_code TEXT, received TEXT)")
    return connection


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
