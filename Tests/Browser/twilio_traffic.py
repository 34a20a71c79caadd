#!/usr/bin/env python3
"""Twilio traffic for the console's browser tests, signed as Twilio signs it.

Status callbacks, Event Streams events and Conversations delivery receipts, each signed
with the official `twilio` package's RequestValidator and posted to a running
`tidings serve`. `seed` plays a realistic hour of an on-call's messages (delivered, read,
undelivered and failed with several error codes, one in flight, one conflict, a
Conversations message, and a `To` that is an HTML payload) and writes the SIDs it used as
JSON, for the tests to look up.

    python3 Tests/Browser/twilio_traffic.py seed --url http://127.0.0.1:8080 \\
        --auth-token "$TIDINGS_AUTH_TOKEN" --out seed.json
"""
import argparse
import datetime
import hashlib
import json
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request

from twilio.request_validator import RequestValidator

ACCOUNT = "AC" + "5d2e" * 8
SERVICE = "MG" + "9a41" * 8
SENDER = "+15017122661"
XSS = "<img src=x onerror=alert(1)>"


def sid(prefix):
    return prefix + secrets.token_hex(16)


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def dlr(moment):
    """A RawDlrDoneDate: YYMMDDhhmm, UTC."""
    return moment.astimezone(datetime.timezone.utc).strftime("%y%m%d%H%M")


class Twilio:
    """Posts signed requests to one Tidings server."""

    def __init__(self, base_url, auth_token):
        self.base = base_url.rstrip("/")
        self.validator = RequestValidator(auth_token)

    def _post(self, path, body, content_type, signature):
        request = urllib.request.Request(
            self.base + path, data=body, method="POST",
            headers={"Content-Type": content_type, "X-Twilio-Signature": signature})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def form(self, path, params):
        url = self.base + path
        status, text = self._post(
            path, urllib.parse.urlencode(params).encode(), "application/x-www-form-urlencoded",
            self.validator.compute_signature(url, params))
        if status not in (200, 204):
            raise RuntimeError(f"POST {path} answered {status}: {text}")
        return status

    def callback(self, message_sid, status, to="+15558675310", sender=SENDER, **extra):
        """One status callback, as Twilio posts it to a StatusCallback URL."""
        params = {
            "AccountSid": ACCOUNT, "ApiVersion": "2010-04-01", "From": sender, "To": to,
            "MessagingServiceSid": SERVICE, "MessageSid": message_sid, "SmsSid": message_sid,
            "MessageStatus": status, "SmsStatus": status,
        }
        params.update({name: str(value) for name, value in extra.items()})
        return self.form("/twilio/status", params)

    def events(self, events):
        """A batch of Event Streams CloudEvents, signed over the URL with its bodySHA256."""
        body = json.dumps(events).encode()
        path = "/twilio/events?bodySHA256=" + hashlib.sha256(body).hexdigest()
        status, text = self._post(path, body, "application/json", self.validator.compute_signature(self.base + path, {}))
        if status != 200:
            raise RuntimeError(f"POST /twilio/events answered {status}: {text}")
        return json.loads(text)

    def receipt(self, message_sid, channel_message_sid, status, at, **extra):
        """A Conversations onDeliveryUpdated receipt."""
        params = {
            "EventType": "onDeliveryUpdated", "AccountSid": ACCOUNT, "ChatServiceSid": extra.pop("service"),
            "ConversationSid": extra.pop("conversation"), "MessageSid": message_sid,
            "ParticipantSid": extra.pop("participant"), "DeliveryReceiptSid": extra.pop("receipt"),
            "ChannelMessageSid": channel_message_sid, "Status": status,
            "DateCreated": iso(at), "DateUpdated": iso(at), "Source": "SDK",
        }
        params.update({name: str(value) for name, value in extra.items()})
        return self.form("/twilio/conversations", params)

    def life(self, message_sid, statuses, to="+15558675310", **final_extra):
        """Callbacks for each status in turn; the last one carries `final_extra`."""
        for index, status in enumerate(statuses):
            self.callback(message_sid, status, to=to, **(final_extra if index == len(statuses) - 1 else {}))


def event(message_sid, status, at, to, error_code=None, raw_dlr=None):
    data = {
        "messageSid": message_sid, "accountSid": ACCOUNT, "messagingServiceSid": SERVICE, "from": SENDER,
        "to": to, "messageStatus": status.upper(), "timestamp": iso(at), "eventName": status,
    }
    if error_code is not None:
        data["errorCode"] = error_code
    if raw_dlr is not None:
        data["rawDlrDoneDate"] = raw_dlr
    return {
        "specversion": "1.0", "type": f"com.twilio.messaging.message.{status}",
        "source": f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{message_sid}.json", "id": "EZ" + secrets.token_hex(16),
        "dataschema": "https://events-schemas.twilio.com/Messaging.MessageStatus/5", "datacontenttype": "application/json",
        "time": iso(at), "data": data,
    }


def seed(twilio):
    """Plays the messages of a busy hour and returns the SIDs worth looking up."""
    now = datetime.datetime.now(datetime.timezone.utc)
    seeded = {}

    # The message the on-call is asked about: undelivered, 30003, told by Event Streams
    # (with Twilio's own times) and by status callbacks, one of them twice.
    main = seeded["undelivered"] = sid("SM")
    to = "+15558675310"
    queued_at = now - datetime.timedelta(minutes=4, seconds=12, milliseconds=310)
    sent_at = queued_at + datetime.timedelta(seconds=1, milliseconds=240)
    done_at = sent_at + datetime.timedelta(minutes=2, seconds=3)
    twilio.events([
        event(main, "queued", queued_at, to),
        event(main, "sent", sent_at, to),
        event(main, "undelivered", done_at, to, error_code=30003, raw_dlr=dlr(done_at)),
    ])
    twilio.callback(main, "sent", to=to)
    twilio.callback(main, "undelivered", to=to, ErrorCode=30003, RawDlrDoneDate=dlr(done_at))
    twilio.callback(main, "undelivered", to=to, ErrorCode=30003, RawDlrDoneDate=dlr(done_at))

    for index in range(9):
        twilio.life(sid("SM"), ["queued", "sent", "delivered"], to=f"+1555010{index:04d}", RawDlrDoneDate=dlr(now))
    mms = seeded["mms"] = sid("MM")
    twilio.life(mms, ["queued", "sent", "delivered"], to="+15550104444", NumMedia=1)
    for index in range(3):
        twilio.life(sid("SM"), ["queued", "sent", "delivered", "read"], to=f"whatsapp:+4915112{index:05d}",
                    ChannelPrefix="whatsapp", EventType="READ")
    for code, to in [(30005, "+15550187001"), (30005, "+15550187002"), (30006, "+15550187003"), (30008, "+15550187004"), (30003, "+15550187005")]:
        twilio.life(sid("SM"), ["queued", "sent", "undelivered"], to=to, ErrorCode=code, RawDlrDoneDate=dlr(now))
    seeded["failed"] = sid("SM")
    twilio.life(seeded["failed"], ["queued", "failed"], to="+15550199001", ErrorCode=21610)
    twilio.life(sid("SM"), ["queued", "failed"], to="+15550199002", ErrorCode=30007)
    twilio.life(sid("SM"), ["queued", "failed"], to="whatsapp:+4915199003", ChannelPrefix="whatsapp", ErrorCode=63016)
    seeded["in_flight"] = sid("SM")
    twilio.life(seeded["in_flight"], ["queued", "sent"], to="+15550123123")

    # Callbacks that disagree: delivered, then undelivered.
    conflict = seeded["conflict"] = sid("SM")
    twilio.life(conflict, ["queued", "sent", "delivered"], to="+15550166000")
    twilio.callback(conflict, "undelivered", to="+15550166000", ErrorCode=30003)

    # A To and a From that are HTML: they must show as these characters, never run.
    xss = seeded["xss"] = sid("SM")
    twilio.callback(xss, "queued", to=XSS, sender="<b>bold</b>")
    twilio.callback(xss, "sent", to=XSS, sender="<b>bold</b>")

    # A Conversations message to three participants: read, delivered, undelivered.
    conversation = seeded["conversation"] = sid("IM")
    common = {"service": sid("IS"), "conversation": sid("CH")}
    for status, error_code in [("read", None), ("delivered", None), ("undelivered", 30003)]:
        channel_sid = sid("SM")
        receipt = sid("DY")
        participant = sid("MB")
        twilio.callback(channel_sid, "sent", to="+1555013" + secrets.token_hex(2)[:4].translate(str.maketrans("abcdef", "123456")))
        extra = {"ErrorCode": error_code} if error_code else {}
        twilio.receipt(conversation, channel_sid, status, now, receipt=receipt, participant=participant, **common, **extra)
    return seeded


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["seed"])
    parser.add_argument("--url", required=True, help="the server's base URL, http://127.0.0.1:PORT")
    parser.add_argument("--auth-token", required=True, help="the Twilio auth token the server checks signatures with")
    parser.add_argument("--out", required=True, help="where to write the seeded SIDs (JSON)")
    args = parser.parse_args()
    seeded = seed(Twilio(args.url, args.auth_token))
    with open(args.out, "w") as out:
        json.dump(seeded, out, indent=2)
    print(f"seeded {len(seeded)} named messages and the traffic around them", file=sys.stderr)


if __name__ == "__main__":
    main()
