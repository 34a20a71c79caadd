#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/ from the project's own fixtures.

Run from the repository root: python3 fuzz/corpus/make_seeds.py
- FuzzFormBody, FuzzStatusCallback: the raw bodies of Tests/TwilioWebhooksTests/Vectors
  (real status callbacks and the form-body vectors taken from urllib.parse).
- FuzzSignatureValidator: the signature vectors' requests, as the harness reads them
  (URL, signature, settings header, token, kind + body, one per line).
- FuzzDeliveryReceiptDate, FuzzSinkSpecification: values from the tests and README.md.
FuzzStoredChange's seeds are documents written by the project's own JSONWriter: the
harness writes them itself, `TIDINGS_FUZZ_WRITE_SEEDS=fuzz/corpus/FuzzStoredChange
fuzz/.build-fuzz/debug/FuzzStoredChange` (see fuzz/README.md).
"""
import hashlib, json, os, urllib.parse

root = os.path.join(os.path.dirname(__file__), "..", "..")
out = os.path.dirname(os.path.abspath(__file__))
vectors = json.load(open(os.path.join(root, "Tests/TwilioWebhooksTests/Vectors/signature_vectors.json")))


def write(harness, content):
    data = content if isinstance(content, bytes) else content.encode()
    folder = os.path.join(out, harness)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + hashlib.sha1(data).hexdigest()[:12]), "wb") as f:
        f.write(data)


for form in vectors["formBodies"]:
    write("FuzzFormBody", form["raw"])
    write("FuzzStatusCallback", form["raw"])
write("FuzzStatusCallback", "c6a8b2a0-token\n" + vectors["formBodies"][0]["raw"]
      + "&ErrorCode=30003&RawDlrDoneDate=2611231904&EventType=READ&ChannelPrefix=whatsapp")

for request in vectors["requests"]:
    receiver = request.get("receiver", request["signer"])
    body = receiver.get("body") or {"kind": "none"}
    if body["kind"] == "form":
        encoded = "f" + urllib.parse.urlencode([tuple(p) for p in body["parameters"]])
    elif body["kind"] == "json":
        encoded = "j" + body.get("json", body.get("raw", ""))
    else:
        encoded = "n"
    signature = receiver.get("signature") or ""
    url = receiver["url"]
    if body["kind"] == "json":  # the harness adds bodySHA256 itself
        url = url.split("?")[0]
    write("FuzzSignatureValidator", "\n".join([
        url, signature, receiver.get("signatureSettings") or "", receiver.get("authToken", ""), encoded]))

for raw in ["2611231904", "2402291200", "2302291200", "2604310000", "0001010000", "9912312359", "26112319", "261123190 "]:
    write("FuzzDeliveryReceiptDate", raw)

for sink in ["file=/var/lib/tidings/events.jsonl;rotate=daily;keep=30",
             "webhook=https://crm.example.com/hooks/sms;name=crm;only=errors;format=cloudevents",
             "webhook=https://crm.example.com/hooks/sms;only=errors",
             "file=/var/lib/tidings/events.jsonl",
             "webhook=https://crm.example.com/hooks/sms",
             "file=/tmp/x.jsonl;statuses=undelivered|failed;channels=whatsapp|rcs;max-mb=100;fsync=none",
             "webhook=https://h.example/x;secret-env=VAR;timeout=10;source=urn:tidings"]:
    write("FuzzSinkSpecification", sink)
