#!/usr/bin/env python3
"""Pre-signed Twilio status callbacks for the load benchmark, one request a line.

Each line is `X-Twilio-Signature<TAB>form body`, signed by the official `twilio` package's
RequestValidator for --url, so every server under test (Tidings and the Flask peer) checks
real signatures. Messages live realistic lives (queued, sent, then delivered, undelivered
with 30003, failed with 30008, or delivered and read) and the lines interleave them as a
bulk send does: every message's first callback, then every message's second, and so on.

    bench/make_requests.py --url http://bench.invalid/twilio/status --messages 100000 > requests.tsv
"""
import argparse
import random
import sys
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

LIVES = [
    [("queued", None), ("sent", None), ("delivered", None)],
    [("queued", None), ("sending", None), ("sent", None), ("delivered", None)],
    [("queued", None), ("sent", None), ("undelivered", "30003")],
    [("queued", None), ("failed", "30008")],
    [("queued", None), ("sent", None), ("delivered", None), ("read", None)],
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the URL the servers rebuild (their public URL + path)")
    parser.add_argument("--token", default="bench-auth-token", help="the auth token the servers check with")
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--prefix", default="SMbe", help="SID prefix, so runs can use distinct messages")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    validator = RequestValidator(args.token)
    rng = random.Random(args.seed)
    lives = [rng.choice(LIVES) for _ in range(args.messages)]
    out = sys.stdout
    for step in range(max(len(life) for life in lives)):
        for number, life in enumerate(lives):
            if step >= len(life):
                continue
            status, error = life[step]
            sid = f"{args.prefix}{number:0{34 - len(args.prefix)}x}"
            params = {
                "SmsSid": sid, "SmsStatus": status, "MessageStatus": status, "To": "+15558675310",
                "MessagingServiceSid": "MG" + "0" * 32, "MessageSid": sid, "AccountSid": "AC" + "0" * 32,
                "From": "+15017122661", "ApiVersion": "2010-04-01",
            }
            if error:
                params["ErrorCode"] = error
            signature = validator.compute_signature(args.url, params)
            out.write(f"{signature}\t{urlencode(params)}\n")


if __name__ == "__main__":
    main()
