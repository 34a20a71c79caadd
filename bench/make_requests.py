#!/usr/bin/env python3
"""Pre-signed Twilio status callbacks for the load benchmark, one request a line.

Each line is `KIND<TAB>X-Twilio-Signature<TAB>form body`, signed by the official `twilio`
package's RequestValidator for --url, so every server under test (Tidings and the Flask
peer) checks real signatures. KIND is `i` for a message's first callback (the server
inserts a message) and `u` for a later one (it updates a message it stored earlier).

Messages live realistic lives (queued, sent, then delivered, undelivered with 30003,
failed with 30008, or delivered and read). How the lines interleave them (--mix):

- `mixed` (the default), as Twilio sends them: new messages start all the time, and each
  message's next callback comes a random 5 to 600 callbacks after its previous one. After
  the first few hundred lines about 69 % of callbacks update a stored message (a life has
  3.2 callbacks on average); the script prints the share for the first --report lines.
- `inserts`: only each message's first callback, so every callback stores a new message —
  the figure that shows the cost of inserts alone, never the headline.

Messages go where a team's go: each to one of `--messages / 2` phone numbers drawn at
random (most people get one or two messages, some more). The lives that end in `read` (a
fifth) are WhatsApp's (`whatsapp:` addresses), as Twilio reports `read` for WhatsApp; of
the others 5 % are MMS (`NumMedia=1`) and the rest SMS. The addresses are drawn apart
from the lives and their order, so the interleaving does not depend on them.

    bench/make_requests.py --url http://bench.invalid/twilio/status --messages 100000 > requests.tsv
"""
import argparse
import heapq
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
# How many callbacks later a message's next callback arrives (inclusive bounds).
GAP = (5, 600)
# The share of MMS among messages whose life does not end in `read`.
MMS_SHARE = 0.05


def addresses(life, recipients, rng):
    """The To and From parameters of a message with `life`, and NumMedia for MMS: one of
    `recipients` phone numbers, on WhatsApp when the life ends in `read`."""
    to = f"+1555{rng.randrange(recipients):07d}"
    if life[-1][0] == "read":
        return {"To": f"whatsapp:{to}", "From": "whatsapp:+14155238886"}
    if rng.random() < MMS_SHARE:
        return {"To": to, "From": "+15017122661", "NumMedia": "1"}
    return {"To": to, "From": "+15017122661"}


def mixed(lives, rng):
    """Yields (message number, step) as Twilio's traffic interleaves them: at each position
    the callback that is due comes first; when none is due, a new message starts."""
    due = []  # (position, message number, step)
    next_message = 0
    position = 0
    while due or next_message < len(lives):
        if due and (due[0][0] <= position or next_message == len(lives)):
            _, number, step = heapq.heappop(due)
        else:
            number, step = next_message, 0
            next_message += 1
        yield number, step
        if step + 1 < len(lives[number]):
            heapq.heappush(due, (position + rng.randint(*GAP), number, step + 1))
        position += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the URL the servers rebuild (their public URL + path)")
    parser.add_argument("--token", default="bench-auth-token", help="the auth token the servers check with")
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--mix", choices=["mixed", "inserts"], default="mixed")
    parser.add_argument("--prefix", default="SMbe", help="SID prefix, so runs can use distinct messages")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--report", type=int, default=75_000,
                        help="print the share of updates among this many first lines (a run's worth)")
    args = parser.parse_args()

    validator = RequestValidator(args.token)
    rng = random.Random(args.seed)
    lives = [rng.choice(LIVES) for _ in range(args.messages)]
    address_rng = random.Random(args.seed + 1)
    parties = [addresses(life, max(args.messages // 2, 1), address_rng) for life in lives]
    order = mixed(lives, rng) if args.mix == "mixed" else ((number, 0) for number in range(len(lives)))
    out = sys.stdout
    lines = updates = 0
    for number, step in order:
        status, error = lives[number][step]
        sid = f"{args.prefix}{number:0{34 - len(args.prefix)}x}"
        params = {
            "SmsSid": sid, "SmsStatus": status, "MessageStatus": status,
            "MessagingServiceSid": "MG" + "0" * 32, "MessageSid": sid, "AccountSid": "AC" + "0" * 32,
            "ApiVersion": "2010-04-01", **parties[number],
        }
        if error:
            params["ErrorCode"] = error
        signature = validator.compute_signature(args.url, params)
        out.write(f"{'u' if step else 'i'}\t{signature}\t{urlencode(params)}\n")
        if lines < args.report:
            updates += step > 0
        lines += 1
    measured = min(lines, args.report)
    print(f"make_requests: {lines} callbacks for {args.messages} messages ({args.mix}); "
          f"{updates / max(measured, 1):.1%} of the first {measured} update a stored message", file=sys.stderr)


if __name__ == "__main__":
    main()
