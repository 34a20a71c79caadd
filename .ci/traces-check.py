#!/usr/bin/env python3
"""Traces in OpenTelemetry's own encoding: a real `tidings serve` exports to a collector on
loopback over OTLP/HTTP with its defaults (protobuf, `/v1/traces` under
OTEL_EXPORTER_OTLP_ENDPOINT), and the export is decoded with the `opentelemetry-proto`
package, OpenTelemetry's published schema.

    traces-check.py TIDINGS_BINARY

Sends a callback signed by the `twilio` package's RequestValidator and one with a forged
signature, then checks the spans docs/tracing.md promises: the server span of the route,
`status callback` with the SID and outcome, `signature check`, `store commit` with its batch
size, all in one trace; the log sink's `sink delivery`; `service.name` is `tidings`.
Loopback only, bounded: the server is stopped and the work directory removed on any exit.
"""
import http.server
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from twilio.request_validator import RequestValidator

TOKEN = "traces-check-token"
SID = "SM" + "7ace" * 8


def fail(message):
    print(f"traces: {message}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector(http.server.BaseHTTPRequestHandler):
    """Keeps every export's spans, with the resource's service.name, and answers 200 as OTLP says."""

    exports = []
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.lock:
            self.exports.append((self.path, self.headers.get("Content-Type"), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def attributes(span):
    values = {}
    for attribute in span.attributes:
        value = attribute.value
        values[attribute.key] = getattr(value, value.WhichOneof("value"))
    return values


def spans_received():
    spans = []
    with Collector.lock:
        exports = list(Collector.exports)
    for path, content_type, body in exports:
        if path != "/v1/traces":
            fail(f"the exporter posted to {path}, not /v1/traces under OTEL_EXPORTER_OTLP_ENDPOINT")
        if content_type != "application/x-protobuf":
            fail(f"the export's Content-Type is {content_type}, not application/x-protobuf")
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource_spans in request.resource_spans:
            service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}.get("service.name")
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    spans.append((service, span))
    return spans


def post_callback(port, signature=None):
    url = f"http://127.0.0.1:{port}/twilio/status"
    params = {"MessageSid": SID, "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32, "To": "+15005550006"}
    signature = signature or RequestValidator(TOKEN).compute_signature(url, params)
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(params).encode(), headers={"X-Twilio-Signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main():
    binary = sys.argv[1]
    collector = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    port = free_port()
    with tempfile.TemporaryDirectory() as work:
        environment = {key: value for key, value in os.environ.items() if not key.startswith(("TIDINGS_", "OTEL_"))}
        environment.update({
            "TIDINGS_AUTH_TOKEN": TOKEN,
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.server_address[1]}",
            "OTEL_BSP_SCHEDULE_DELAY": "50",
        })
        log = open(os.path.join(work, "serve.log"), "w")
        server = subprocess.Popen(
            [binary, "serve", "--port", str(port), "--data-dir", os.path.join(work, "data")],
            env=environment, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while "Tidings is listening" not in open(log.name).read():
                if server.poll() is not None or time.monotonic() > deadline:
                    fail("tidings serve did not start: " + open(log.name).read()[-2000:])
                time.sleep(0.1)
            if post_callback(port) != 204:
                fail("the signed callback was not acknowledged")
            if post_callback(port, signature="Zm9yZ2Vk") != 403:
                fail("the forged callback was not refused")

            deadline = time.monotonic() + 30
            while True:
                spans = spans_received()
                names = [span.name for _, span in spans]
                if names.count("status callback") >= 2 and "sink delivery" in names:
                    break
                if time.monotonic() > deadline:
                    fail(f"spans missing after 30 s; received {sorted(set(names))}")
                time.sleep(0.1)
        finally:
            server.terminate()
            server.wait(timeout=30)
            collector.shutdown()

    services = {service for service, _ in spans}
    if services != {"tidings"}:
        fail(f"service.name is {services}, not tidings")
    by_id = {span.span_id: span for _, span in spans}
    callbacks = {attributes(span).get("tidings.outcome"): span for _, span in spans if span.name == "status callback"}
    accepted = callbacks.get("accepted") or fail(f"no accepted status callback span: {sorted(callbacks)}")
    if "forged" not in callbacks:
        fail(f"no forged status callback span: {sorted(callbacks)}")
    if attributes(accepted).get("messaging.message.id") != SID:
        fail(f"status callback's messaging.message.id is {attributes(accepted).get('messaging.message.id')}")
    server_span = by_id.get(accepted.parent_span_id) or fail("status callback has no parent span")
    if server_span.kind != Span.SPAN_KIND_SERVER or attributes(server_span).get("http.route") != "/twilio/status":
        fail(f"status callback's parent is {server_span.name} ({server_span.kind}), not the route's server span")
    children = {span.name: span for _, span in spans if span.parent_span_id == accepted.span_id}
    if attributes(children.get("signature check", Span())).get("tidings.signature.valid") is not True:
        fail(f"no valid signature check under the accepted callback: {sorted(children)}")
    commit = children.get("store commit") or fail(f"no store commit under the accepted callback: {sorted(children)}")
    if attributes(commit).get("tidings.store.batch_size", 0) < 1:
        fail(f"store commit's batch size is {attributes(commit).get('tidings.store.batch_size')}")
    if len({span.trace_id for span in (server_span, accepted, *children.values())}) != 1:
        fail("the callback's spans are not one trace")
    delivery = next(span for _, span in spans if span.name == "sink delivery")
    if attributes(delivery).get("tidings.sink.name") != "log" or delivery.kind != Span.SPAN_KIND_PRODUCER:
        fail(f"sink delivery: {attributes(delivery)}")
    print(f"traces: {len(spans)} spans decoded with opentelemetry-proto; a callback's trace and a sink delivery's as documented")


if __name__ == "__main__":
    main()
