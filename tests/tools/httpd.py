#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small HTTP(S) server for pkgforge's tests that misbehaves on request.

    httpd.py --root DIR --port-file FILE --log FILE [--tls CERT KEY] [--gate FILE]
             [--redirect-base URL]

It listens on 127.0.0.1, on a free port it writes to --port-file.  The
first path component of a request chooses the behaviour, the rest names
a file below --root:

    /ok/PATH        serve the file (Range requests answered with 206)
    /cut/PATH       first request: promise the whole file, send half, hang up
    /reset/PATH     first request: send half, then reset the connection
    /e500x2/PATH    500 twice, then serve
    /e429/PATH      429 with "Retry-After: 1" once, then serve
    /e404/PATH      always 404;  /e403/PATH  always 403
    /loop/PATH      redirect to itself, forever
    /redir/PATH     redirect to /ok/PATH
    /tofile/PATH    redirect to file:///etc/passwd
    /away/PATH      redirect to --redirect-base URL + /ok/PATH
    /slow/PATH      headers, then one byte every half second
    /wrong/PATH     the file with its last byte changed
    /norange/PATH   first request cut in half like /cut; then the whole
                    file, whatever Range asks
    /badrange/PATH  first request cut; then 206 from the wrong offset
    /hold/PATH      wait until the --gate file exists, then serve

Every request is logged to --log as one line:
    METHOD PATH range=<Range header or -> ua=<User-Agent>
"""
import argparse
import os
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {}
lock = threading.Lock()


def count(key):
    with lock:
        counts[key] = counts.get(key, 0) + 1
        return counts[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pkgforge-test-httpd"

    def log_message(self, fmt, *args):
        pass

    def log_request_line(self):
        with lock:
            with open(self.server.opts.log, "a") as f:
                f.write("%s %s range=%s ua=%s\n" % (
                    self.command, self.path, self.headers.get("Range", "-"),
                    self.headers.get("User-Agent", "-")))

    def plain(self, code, text="", extra=()):
        body = text.encode()
        self.send_response(code)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, where):
        self.plain(302, "", [("Location", where)])

    def do_GET(self):
        self.log_request_line()
        self.close_connection = True
        parts = self.path.lstrip("/").split("/", 1)
        if len(parts) != 2:
            return self.plain(404, "no mode\n")
        mode, rel = parts
        # as real servers do: clients percent-encode ('+' is %2b for dnf)
        rel = urllib.parse.unquote(rel.split("?", 1)[0])
        path = os.path.join(self.server.opts.root, rel)
        n = count((mode, rel))
        if mode == "e404":
            return self.plain(404, "not here\n")
        if mode == "e403":
            return self.plain(403, "go away\n")
        if mode == "e500x2" and n <= 2:
            return self.plain(500, "oops\n")
        if mode == "e429" and n == 1:
            return self.plain(429, "slow down\n", [("Retry-After", "1")])
        if mode == "loop":
            return self.redirect(self.path)
        if mode == "redir":
            return self.redirect("/ok/" + rel)
        if mode == "tofile":
            return self.redirect("file:///etc/passwd")
        if mode == "away":
            return self.redirect(self.server.opts.redirect_base + "/ok/" + rel)
        if not os.path.isfile(path):
            return self.plain(404, "not found\n")
        with open(path, "rb") as f:
            data = f.read()
        if mode == "wrong":
            data = data[:-1] + bytes([data[-1] ^ 1])
        if mode == "hold":
            while not os.path.exists(self.server.opts.gate):
                time.sleep(0.05)
        first = n == 1
        if mode in ("cut", "reset", "norange", "badrange") and first:
            return self.send_part(data, mode == "reset")
        if mode == "slow":
            return self.send_slow(data)
        rng = self.headers.get("Range")
        if rng and mode != "norange":
            start = int(rng.split("=")[1].split("-")[0])
            if start >= len(data):
                return self.plain(416, "", [("Content-Range", "bytes */%d" % len(data))])
            if mode == "badrange":
                start = max(0, start - 1)
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
            self.send_header("Content-Length", str(len(data) - start))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[start:])
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def send_part(self, data, reset):
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data[:len(data) // 2])
        self.wfile.flush()
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        self.connection.close()

    def send_slow(self, data):
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--gate", default="/nonexistent")
    ap.add_argument("--redirect-base", default="http://127.0.0.1:1")
    opts = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.opts = opts
    if opts.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.tls[0], opts.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    open(opts.log, "a").close()
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, opts.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
