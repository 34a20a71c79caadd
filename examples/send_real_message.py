#!/usr/bin/env python3
"""Sends one real message through Twilio with its StatusCallback pointing at Tidings.

This costs money and reaches a real phone: it needs YOUR Twilio credentials, and CI never runs
it except with --dry-run, which builds the request with the `twilio` SDK and prints it without
sending anything (no credentials needed).

    pip install twilio requests

    # Credentials of the account that sends (never put them in a file you commit):
    export TWILIO_ACCOUNT_SID=AC…
    export TWILIO_AUTH_TOKEN=…                  # or TWILIO_API_KEY=SK… and TWILIO_API_SECRET=…
    # Who sends: a number (or whatsapp:+…) of that account, or a Messaging Service:
    export TWILIO_FROM=+15017122661             # or TWILIO_MESSAGING_SERVICE_SID=MG…
    # Where Twilio reaches Tidings (a tunnel while developing, see examples/local-development.md):
    export TIDINGS_PUBLIC_URL=https://abcd-1234.trycloudflare.com

    examples/send_real_message.py --to +15558675310 --dry-run     # prints what it would send
    examples/send_real_message.py --to +15558675310 --wait 120    # sends, then follows it in Tidings

Tidings must check signatures with the auth token of the account that sends: Twilio signs a
message's status callbacks with its own account's token (a subaccount's messages with the
subaccount's token), whichever credentials created the message. So run `tidings serve` with
TIDINGS_AUTH_TOKEN set to that account's auth token and --public-url set to TIDINGS_PUBLIC_URL.

Exits 0 when Twilio accepted the message (and, with --wait, Tidings heard of a final status
in time), 1 otherwise, 2 for missing settings.
"""
import argparse
import json
import logging
import os
import re
import sys
import time
from urllib.parse import urlsplit

from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

ADDRESS = re.compile(r"^(whatsapp:|rcs:)?\+[1-9][0-9]{6,14}$")
FINAL = {"delivered", "undelivered", "failed", "canceled", "read", "partially_delivered"}


class DryRunClient(HttpClient):
    """Records the request the SDK would send and answers as Twilio would, sending nothing."""

    def __init__(self):
        super().__init__(logging.getLogger("twilio.http_client"), is_async=False)
        self.requests = []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None, allow_redirects=False):
        self.requests.append({"method": method, "uri": uri, "params": params or {}, "data": data or {}})
        sid = "SM" + "0" * 32
        return Response(201, json.dumps({"sid": sid, "status": "queued", "to": (data or {}).get("To")}))


def fail(message, status=2):
    print(f"send_real_message: {message}", file=sys.stderr)
    sys.exit(status)


def callback_warnings(url):
    """What would keep Twilio from reaching `url`, in words."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    warnings = []
    if parts.scheme != "https":
        warnings.append("the StatusCallback is not https: Twilio calls it over the internet, use your proxy's or tunnel's https URL")
    if host in {"localhost", "127.0.0.1", "::1", "0.0.0.0"} or host.startswith(("10.", "192.168.")) or host.endswith(".local"):
        warnings.append(f"{host} is not reachable from Twilio: run a tunnel (examples/local-development.md) and use its URL")
    return warnings


def follow(sid, server, api_token, seconds):
    """Prints the message's status from Tidings as it changes, until final or `seconds` pass."""
    import requests

    headers = {"Authorization": f"Bearer {api_token}"} if api_token else {}
    deadline = time.monotonic() + seconds
    shown = None
    while time.monotonic() < deadline:
        answer = requests.get(f"{server.rstrip('/')}/v1/messages/{sid}", headers=headers, timeout=10)
        if answer.status_code == 200:
            record = answer.json()
            status = record["status"]
            if status != shown:
                error = f" {record['errorCode']}" if "errorCode" in record else ""
                print(f"tidings: {sid} {status}{error}")
                shown = status
            if status in FINAL:
                return True
        elif answer.status_code != 404:
            print(f"tidings: GET /v1/messages/{sid} answered {answer.status_code}: {answer.text}", file=sys.stderr)
            return False
        time.sleep(2)
    print(f"tidings: no final status for {sid} within {seconds} s ({shown or 'no callback yet'}); "
          f"`tidings status {sid}` shows it later. No callback at all? See docs/troubleshooting-403.md.", file=sys.stderr)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--to", required=True, help="the recipient, E.164 (+15558675310) or whatsapp:+…")
    parser.add_argument("--from", dest="sender", default=os.environ.get("TWILIO_FROM"),
                        help="the sender, a number of the account (default: $TWILIO_FROM)")
    parser.add_argument("--messaging-service-sid", default=os.environ.get("TWILIO_MESSAGING_SERVICE_SID"),
                        help="send through this Messaging Service (MG…) instead of --from (default: $TWILIO_MESSAGING_SERVICE_SID)")
    parser.add_argument("--body", default="Hello from Tidings: this message's status callbacks go to Tidings.",
                        help="the text of the message")
    public_url = os.environ.get("TIDINGS_PUBLIC_URL", "").rstrip("/")
    parser.add_argument("--status-callback", default=f"{public_url}/twilio/status" if public_url else None,
                        help="the URL Twilio posts the message's status to (default: $TIDINGS_PUBLIC_URL/twilio/status)")
    parser.add_argument("--wait", type=int, default=0, metavar="SECONDS",
                        help="after sending, follow the message in Tidings for up to this long")
    parser.add_argument("--server", default="http://127.0.0.1:8080",
                        help="the Tidings server --wait asks (default: http://127.0.0.1:8080)")
    parser.add_argument("--dry-run", action="store_true",
                        help="build the request with the SDK and print it; send nothing (no credentials needed)")
    args = parser.parse_args()

    if not ADDRESS.match(args.to):
        fail(f"--to {args.to} is not an E.164 number (+15558675310) or whatsapp:+…")
    if bool(args.sender) == bool(args.messaging_service_sid):
        fail("say who sends: --from (TWILIO_FROM) or --messaging-service-sid (TWILIO_MESSAGING_SERVICE_SID), one of them")
    if not args.status_callback:
        fail("no StatusCallback: set TIDINGS_PUBLIC_URL (the base URL Twilio reaches Tidings at) or pass --status-callback")
    for warning in callback_warnings(args.status_callback):
        print(f"send_real_message: warning: {warning}", file=sys.stderr)

    account_sid = os.environ.get("TWILIO_ACCOUNT_SID")
    api_key, api_secret = os.environ.get("TWILIO_API_KEY"), os.environ.get("TWILIO_API_SECRET")
    auth_token = os.environ.get("TWILIO_AUTH_TOKEN")
    recorder = None
    if args.dry_run:
        recorder = DryRunClient()
        account_sid = account_sid or "AC" + "x" * 32
        client = Client(account_sid, "dry-run-not-a-token", account_sid, http_client=recorder)
    else:
        if not account_sid:
            fail("set TWILIO_ACCOUNT_SID (AC…) to the account that sends")
        if api_key and api_secret:
            client = Client(api_key, api_secret, account_sid)
        elif auth_token:
            client = Client(account_sid, auth_token)
        else:
            fail("set TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET")

    sender = {"from_": args.sender} if args.sender else {"messaging_service_sid": args.messaging_service_sid}
    try:
        message = client.messages.create(to=args.to, body=args.body, status_callback=args.status_callback, **sender)
    except TwilioRestException as error:
        fail(f"Twilio refused the message: {error.status} {error.code} {error.msg}", status=1)

    if recorder:
        for request in recorder.requests:
            print(f"{request['method']} {request['uri']}")
            for name, value in request["data"].items():
                print(f"  {name}={value}")
        print(f"not sent (--dry-run): nothing left this machine. Sent for real, the message's status callbacks "
              f"would go to {args.status_callback}")
        return 0

    print(f"sent: {message.sid} ({message.status}); its status callbacks go to {args.status_callback}")
    print(f"  tidings status {message.sid}")
    if args.wait > 0:
        return 0 if follow(message.sid, args.server, os.environ.get("TIDINGS_API_TOKEN", ""), args.wait) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
