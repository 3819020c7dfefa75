"""A stand-in for the OpenStreetMap tile server on loopback, so pages load as they do online.

The browser tests may not reach the internet; without this, every map tile is a failed
request and a console error that no real visitor would see.
"""

from __future__ import annotations

import re
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TILE_PATH = re.compile(r"/\d{1,2}/\d{1,7}/\d{1,7}\.png")


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A one-colour PNG image of this size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


TILE = png(256, 256, (232, 229, 222))


class _TileHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the pages, not this log."""

    def do_GET(self) -> None:
        if TILE_PATH.fullmatch(self.path):
            status, kind, body = 200, "image/png", TILE
        else:
            status, kind, body = 404, "text/plain", b"no such tile\n"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=86400")
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def tile_server() -> Iterator[str]:
    """Serve tiles on a free loopback port; yields the `tile_url` template for site.yaml."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="tiles")
    thread.start()
    try:
        port = server.server_address[1]
        yield f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
