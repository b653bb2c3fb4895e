#!/usr/bin/env python3
"""A plain HTTP sink for bench/receive.sh: reads every request body in full and throws it away.

Answers PUT and POST with 201 and a tiny JSON body once the whole body (Content-Length) has been
read, so the client pays exactly the cost of pushing the bytes over the socket; GET /health is 200.
One thread per connection (ThreadingHTTPServer), HTTP/1.1 keep-alive, no logging, no disk.

usage: sink.py PORT [HOST]      (host defaults to 127.0.0.1)
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUFFER = 1 << 20


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _discard_body(self):
        remaining = int(self.headers.get("Content-Length") or 0)
        buffer = bytearray(min(BUFFER, max(remaining, 1)))
        view = memoryview(buffer)
        received = 0
        while remaining > 0:
            n = self.rfile.readinto(view[: min(len(buffer), remaining)])
            if not n:
                break
            remaining -= n
            received += n
        return received

    def _answer(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        received = self._discard_body()
        self._answer(201, '{"size":%d}' % received)

    do_POST = do_PUT

    def do_GET(self):
        self._answer(200, '{"status":"UP"}')

    def log_message(self, format, *args):
        pass


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    server = ThreadingHTTPServer((host, port), Sink)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
