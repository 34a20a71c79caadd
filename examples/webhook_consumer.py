#!/usr/bin/env python3
"""A receiver for Tidings' webhook sink: verifies every delivery, drops repeats, handles each change.

Tidings' webhook sink (`--sink 'webhook=URL'`) posts one request per status change, signed the
Standard Webhooks way (https://www.standardwebhooks.com): `webhook-id` (the change's id,
`SM…-3`, the same on every delivery of that change), `webhook-timestamp` (the attempt's Unix
seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
This receiver checks them with the `standardwebhooks` package, and

- answers 400 to a request without those headers or with a body that is not a change,
  401 to one whose signature (or timestamp, 5 minutes either way) does not verify;
- drops a change it has already handled (same `webhook-id`) and answers 204, because the sink
  delivers at least once: after a crash or a `tidings replay` a change may come again;
- otherwise calls `handle_change` (below: replace it with your own) and answers 204, or 500
  when it raises, so that Tidings delivers the change again later.

Tidings takes 2xx as delivered, retries 408, 429 and 5xx, and makes any other 4xx a dead
letter at once (`GET /v1/sinks`; after fixing the secret, `tidings replay --sink webhook
--dead-letters`).

    pip install standardwebhooks
    export TIDINGS_WEBHOOK_SECRET="whsec_$(python3 -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')"
    examples/webhook_consumer.py --port 8000                                   # this terminal
    TIDINGS_AUTH_TOKEN=… tidings serve --sink 'webhook=http://127.0.0.1:8000/hooks'   # another, same TIDINGS_WEBHOOK_SECRET

The secret is read from the environment variable the sink's `secret-env=VAR` names (default
TIDINGS_WEBHOOK_SECRET; here `--secret-env VAR`), exactly as Tidings reads it: `whsec_` +
Base64 of the key, or any other text whose UTF-8 bytes are the key; comma-separated during a
rotation (a delivery verified by any of them is accepted).

Prints one line per request on standard output (`--json`: one JSON object with `outcome`
accepted, duplicate or rejected). Remembers handled ids in memory, and in `--seen-file` (one id
a line) to survive restarts.
"""
import argparse
import json
import os
import signal
import sys
import threading
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError
except ImportError:  # pragma: no cover - said once, at start-up
    sys.exit("webhook_consumer: needs the standardwebhooks package: pip install standardwebhooks")

MAX_BODY = 1 << 20
FAILED = {"undelivered", "failed", "canceled"}


def handle_change(change: dict) -> None:
    """Your code: one status change, verified and seen for the first time.

    `change` is Tidings' StatusChange: id, seq, receivedAt, source, sid, status,
    previousStatus, reportedStatus, errorCode, errorMessage, channel, to, applied, conflict,
    stale (absent values are left out). Raise to have Tidings deliver it again later; make
    what you do idempotent by `id` if a repeat after a crash would hurt.
    """
    if change.get("status") in FAILED and change.get("applied"):
        # e.g. mark the number unreachable, open a ticket, try another channel…
        pass


def load_secrets(variable: str) -> list:
    """The secrets in `variable`, each as a verifier, the way Tidings' webhook sink reads them."""
    text = os.environ.get(variable, "")
    verifiers = []
    for secret in (part.strip() for part in text.split(",")):
        if not secret:
            continue
        # The library Base64-decodes any text it is given; Tidings uses a secret without the
        # whsec_ prefix as plain text. Hand such a one over as its bytes, so both sides agree.
        verifiers.append(Webhook(secret) if secret.startswith("whsec_") else Webhook(secret.encode()))
    return verifiers


class SeenIds:
    """The ids handled so far: the newest `limit` in memory, all of them in an optional file."""

    def __init__(self, path, limit=100_000):
        self.ids = OrderedDict()
        self.limit = limit
        self.file = None
        if path:
            if os.path.exists(path):
                with open(path, encoding="utf-8") as existing:
                    for line in existing:
                        self._remember(line.strip())
            self.file = open(path, "a", encoding="utf-8")

    def __contains__(self, change_id):
        return change_id in self.ids

    def add(self, change_id):
        self._remember(change_id)
        if self.file:
            self.file.write(change_id + "\n")
            self.file.flush()
            os.fsync(self.file.fileno())

    def _remember(self, change_id):
        if not change_id:
            return
        self.ids[change_id] = True
        self.ids.move_to_end(change_id)
        while len(self.ids) > self.limit:
            self.ids.popitem(last=False)


class Consumer:
    def __init__(self, verifiers, seen, as_json):
        self.verifiers = verifiers
        self.seen = seen
        self.as_json = as_json
        self.lock = threading.Lock()
        self.counts = {"accepted": 0, "duplicate": 0, "rejected": 0}

    def receive(self, headers, body):
        """(status, outcome, details) for one delivery."""
        headers = {name.lower(): value for name, value in headers.items()}
        missing = [name for name in ("webhook-id", "webhook-timestamp", "webhook-signature") if not headers.get(name)]
        if missing:
            return 400, "rejected", {"reason": "missing " + ", ".join(missing)}
        change_id = headers["webhook-id"]
        reasons = []
        for verifier in self.verifiers:
            try:
                payload = verifier.verify(body, headers)
                break
            except WebhookVerificationError as error:
                reasons.append(str(error))
            except ValueError as error:  # a body that is no JSON, under a good signature
                return 400, "rejected", {"id": change_id, "reason": f"the body is not JSON: {error}"}
        else:
            return 401, "rejected", {"id": change_id, "reason": "; ".join(sorted(set(reasons))) or "no secret"}
        # format=cloudevents wraps the change in a CloudEvents envelope; format=plain is the change.
        change = payload.get("data") if isinstance(payload, dict) and "specversion" in payload else payload
        if not isinstance(change, dict) or change.get("id") != change_id:
            return 400, "rejected", {"id": change_id, "reason": "the body is not the change webhook-id names"}
        with self.lock:
            if change_id in self.seen:
                return 204, "duplicate", {"id": change_id}
            try:
                handle_change(change)
            except Exception as error:  # noqa: BLE001 - any failure means "deliver it again"
                return 500, "failed", {"id": change_id, "reason": repr(error)}
            self.seen.add(change_id)
        return 204, "accepted", {"id": change_id, "change": change}

    def report(self, status, outcome, details):
        with self.lock:
            self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if self.as_json:
            line = json.dumps({"outcome": outcome, "status": status, **details}, sort_keys=True)
        elif outcome == "accepted":
            change = details["change"]
            move = change["status"] if change.get("previousStatus") is None else f"{change['previousStatus']} → {change['status']}"
            if not change.get("applied"):
                move += f" (kept: {change.get('reportedStatus', change['status'])} reported)"
            error = f" {change['errorCode']} {change.get('errorMessage', '')}" if "errorCode" in change else ""
            flags = "".join(f" [{flag}]" for flag in ("conflict", "stale") if change.get(flag))
            line = f"accepted  {change['id']}  {move} ({change.get('channel')}, {change.get('to', '?')}){error}{flags}"
        else:
            line = f"{outcome:<9} {details.get('id', '-')}  {status} {details.get('reason', 'already handled')}"
        print(line, flush=True)


def make_handler(consumer, path):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "tidings-webhook-consumer"

        def do_POST(self):
            if self.path.split("?", 1)[0] != path:
                return self.answer(404)
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                return self.answer(411)
            if length > MAX_BODY:
                return self.answer(413)
            body = self.rfile.read(length)
            status, outcome, details = consumer.receive(dict(self.headers.items()), body)
            consumer.report(status, outcome, details)
            self.answer(status, None if status == 204 else {"error": details.get("reason", outcome)})

        def do_GET(self):
            self.answer(405, {"error": "POST status changes here"}, allow="POST")

        def answer(self, status, document=None, allow=None):
            body = json.dumps(document).encode() if document is not None else b""
            self.send_response(status)
            if allow:
                self.send_header("Allow", allow)
            if body:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 - the report() line says enough
            pass

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one (default: 8000)")
    parser.add_argument("--path", default="/hooks", help="the path of the sink's URL (default: /hooks)")
    parser.add_argument("--secret-env", default="TIDINGS_WEBHOOK_SECRET",
                        help="the environment variable holding the secret, as the sink's secret-env (default: TIDINGS_WEBHOOK_SECRET)")
    parser.add_argument("--seen-file", help="keep handled webhook-ids in this file too, to drop repeats across restarts")
    parser.add_argument("--json", action="store_true", help="one JSON object per request on standard output")
    args = parser.parse_args()

    try:
        verifiers = load_secrets(args.secret_env)
    except Exception as error:  # noqa: BLE001 - a secret the library cannot read
        print(f"webhook_consumer: ${args.secret_env} is not a usable secret ({error})", file=sys.stderr)
        return 2
    if not verifiers:
        print(f"webhook_consumer: set ${args.secret_env} to the webhook sink's secret (whsec_…)", file=sys.stderr)
        return 2
    consumer = Consumer(verifiers, SeenIds(args.seen_file), args.json)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(consumer, args.path))
    host, port = server.server_address[:2]
    print(f"webhook_consumer: listening on http://{host}:{port}{args.path}", file=sys.stderr, flush=True)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    server.server_close()
    counts = ", ".join(f"{name} {count}" for name, count in consumer.counts.items())
    print(f"webhook_consumer: stopped; {counts}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
