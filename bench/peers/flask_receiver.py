"""The receiver a team writes in an afternoon: Flask, the `twilio` package's
RequestValidator, and SQLite — the peer Tidings is measured against (bench/run.sh).

    BENCH_DB=/tmp/peer.sqlite BENCH_PUBLIC_URL=http://bench.invalid BENCH_AUTH_TOKEN=… \\
        gunicorn -w 5 -b 127.0.0.1:8090 flask_receiver:app

It validates each request as Twilio's docs show, upserts the latest status per SID and
appends every callback to a history table, committing per request (SQLite's defaults:
rollback journal, synchronous=FULL — durable like Tidings' default).
"""
import os
import sqlite3

from flask import Flask, abort, request
from twilio.request_validator import RequestValidator

app = Flask(__name__)
validator = RequestValidator(os.environ["BENCH_AUTH_TOKEN"])
public_url = os.environ["BENCH_PUBLIC_URL"].rstrip("/")
database = os.environ["BENCH_DB"]


def connect():
    connection = sqlite3.connect(database, timeout=30)
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
    connection = connect()
    with connection:
        connection.execute(
            "INSERT INTO history VALUES (?, ?, ?, datetime('now'))", (sid, status, error))
        connection.execute(
            "INSERT INTO messages VALUES (?, ?, ?, datetime('now')) ON CONFLICT (sid) DO UPDATE "
            "SET status = excluded.status, error_code = excluded.error_code, updated = excluded.updated",
            (sid, status, error))
    connection.close()
    return "", 204
