#!/usr/bin/env python3
"""A webhook receiver for the console's browser tests, on 127.0.0.1 only.

It refuses every delivery with `410 Gone` until told otherwise, so the webhook sink that
posts to it collects dead letters for the Sinks page to show and replay.
`POST /control?mode=accept` makes it take deliveries (`204`), `?mode=refuse` refuse them
again. It writes the port it listens on to the file named by its one argument, and stops
after an hour whatever happens.
"""
import http.server
import sys
import threading
import urllib.parse


class Receiver(http.server.BaseHTTPRequestHandler):
    mode = "refuse"
    received = 0

    def do_POST(self):  # noqa: N802 (the standard library's name)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/control":
            Receiver.mode = urllib.parse.parse_qs(url.query).get("mode", ["refuse"])[0]
            self.send_response(204)
        elif Receiver.mode == "accept":
            Receiver.received += 1
            self.send_response(204)
        else:
            self.send_response(410)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    with open(sys.argv[1], "w") as out:
        out.write(str(server.server_address[1]))
    timer = threading.Timer(3600, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever()


if __name__ == "__main__":
    main()
