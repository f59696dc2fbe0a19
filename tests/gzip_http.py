"""A static file server that compresses text responses with gzip, as a web host does
(``python -m http.server`` sends every file as it is). Used by ``site_support.serve(gzip=True)``
for bench/lighthouse.py's ``--gzip`` figures.

    python tests/gzip_http.py PORT DIRECTORY
"""
from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import sys

COMPRESSED_TYPES = (".html", ".css", ".js", ".json", ".svg", ".txt", ".xml", ".map")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Answers a GET or HEAD for a text file with its gzip encoding when the client accepts gzip."""

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()   # the plain server's redirect to the folder's own URL
            path = os.path.join(path, "index.html")
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.endswith(COMPRESSED_TYPES) and os.path.isfile(path)):
            return super().send_head()
        with open(path, "rb") as f:
            body = gzip.compress(f.read(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format, *args):   # quiet, like the plain server run with its output dropped
        pass


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or not args[0].isdigit() or not os.path.isdir(args[1]):
        sys.exit("usage: python tests/gzip_http.py PORT DIRECTORY (a port number and an existing folder)")
    handler = functools.partial(GzipHandler, directory=args[1])
    http.server.ThreadingHTTPServer(("127.0.0.1", int(args[0])), handler).serve_forever()


if __name__ == "__main__":
    main()
