#!/usr/bin/env python3
"""Plays one message's whole life against a running Tidings, as Twilio would send it.

Each status callback is signed with the official `twilio` SDK's RequestValidator, exactly
as Twilio signs it, and posted to Tidings. A forged callback follows, which Tidings must
refuse. Finally the script reads the message back from the status API and prints it.

    pip install twilio requests
    TIDINGS_AUTH_TOKEN=T swift run tidings serve          # in one terminal
    TIDINGS_AUTH_TOKEN=T examples/send_status_callbacks.py   # in another

Exits non-zero, saying why, when Tidings answers anything unexpected.
"""
import argparse
import json
import os
import secrets
import sys

import requests
from twilio.request_validator import RequestValidator

LIVES = {
    "delivered": [
        ("queued", {}),
        ("sending", {}),
        ("sent", {}),
        ("delivered", {"RawDlrDoneDate": "2611231904"}),
    ],
    "undelivered": [
        ("queued", {}),
        ("sent", {}),
        ("undelivered", {"ErrorCode": "30003", "RawDlrDoneDate": "2611231904"}),
    ],
    "read": [
        ("queued", {}),
        ("sent", {}),
        ("delivered", {}),
        ("read", {"EventType": "READ", "ChannelPrefix": "whatsapp"}),
    ],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8080/twilio/status",
                        help="the StatusCallback URL Tidings printed at start-up")
    parser.add_argument("--api", default=None, help="the status API base URL (default: derived from --url)")
    parser.add_argument("--auth-token", default=os.environ.get("TIDINGS_AUTH_TOKEN", "").split(",")[0],
                        help="the Twilio auth token Tidings checks against (default: $TIDINGS_AUTH_TOKEN)")
    parser.add_argument("--api-token", default=os.environ.get("TIDINGS_API_TOKEN", ""),
                        help="the bearer token of the status API, if the server has one (default: $TIDINGS_API_TOKEN)")
    parser.add_argument("--life", choices=sorted(LIVES), default="delivered", help="which message life to play")
    parser.add_argument("--sid", default="SM" + secrets.token_hex(16), help="the message SID (default: a random one)")
    args = parser.parse_args()
    if not args.auth_token:
        print("No auth token: pass --auth-token or set TIDINGS_AUTH_TOKEN to the one Tidings uses.", file=sys.stderr)
        return 2
    api = args.api or args.url.split("/twilio/")[0]
    to = "whatsapp:+15558675310" if args.life == "read" else "+15558675310"
    sender = "whatsapp:+15017122661" if args.life == "read" else "+15017122661"
    validator = RequestValidator(args.auth_token)

    def post(params, signature=None):
        signature = signature or validator.compute_signature(args.url, params)
        return requests.post(args.url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)

    for status, extra in LIVES[args.life]:
        params = {
            "AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01", "From": sender, "To": to,
            "MessageSid": args.sid, "SmsSid": args.sid, "MessageStatus": status, "SmsStatus": status, **extra,
        }
        answer = post(params)
        print(f"{status:>12} -> {answer.status_code}")
        if answer.status_code != 204:
            print(f"Tidings refused a correctly signed callback: {answer.status_code} {answer.text}", file=sys.stderr)
            return 1

    forged = post({"MessageSid": args.sid, "MessageStatus": "failed"}, signature="Zm9yZ2VkLXNpZ25hdHVyZQ==")
    print(f"{'forged':>12} -> {forged.status_code}")
    if forged.status_code != 403:
        print(f"Tidings accepted a forged callback: {forged.status_code} {forged.text}", file=sys.stderr)
        return 1

    authorization = {"Authorization": f"Bearer {args.api_token}"} if args.api_token else {}
    record = requests.get(f"{api}/v1/messages/{args.sid}", headers=authorization, timeout=10)
    if record.status_code != 200:
        print(f"GET /v1/messages/{args.sid} answered {record.status_code}: {record.text}", file=sys.stderr)
        return 1
    message = record.json()
    print(json.dumps({key: message.get(key) for key in
                      ("sid", "status", "errorCode", "channel", "carrierDoneAt", "conflict", "timeline")}, indent=2))
    expected = LIVES[args.life][-1][0]
    if message["status"] != expected or len(message["history"]) != len(LIVES[args.life]):
        print(f"expected status {expected} with {len(LIVES[args.life])} callbacks in history", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
