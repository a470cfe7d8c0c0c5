"""The little of SPDY/3.1 the sandbox needs to serve `kubectl port-forward` (server side).

kubectl 1.31+ tunnels SPDY inside a WebSocket (subprotocol `SPDY/3.1+portforward.k8s.io`): every
binary WebSocket message carries raw SPDY bytes. Header blocks are zlib-compressed with the
protocol's fixed dictionary, one compression context per direction for the whole connection.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 0x01
MAX_DATA = 32 * 1024

# The SPDY/3 header dictionary (draft-mbelshe-httpbis-spdy-00, 2.6.10.1): length-prefixed words,
# then a plain tail.
_WORDS = (
    "options head post put delete trace accept accept-charset accept-encoding accept-language "
    "accept-ranges age allow authorization cache-control connection content-base content-encoding "
    "content-language content-length content-location content-md5 content-range content-type date "
    "etag expect expires from host if-match if-modified-since if-none-match if-range "
    "if-unmodified-since last-modified location max-forwards pragma proxy-authenticate "
    "proxy-authorization range referer retry-after server te trailer transfer-encoding upgrade "
    "user-agent vary via warning www-authenticate method get status 200_OK version HTTP/1.1 url "
    "public set-cookie keep-alive origin"
)
_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request"
    "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented"
    "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 "
    "Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
    "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
    "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)


def _dictionary() -> bytes:
    words = [w.replace("_", " ") for w in _WORDS.split()]
    return b"".join(struct.pack("!I", len(w)) + w.encode() for w in words) + _TAIL.encode()


DICTIONARY = _dictionary()


@dataclass
class Frame:
    control: bool
    kind: int  # control frame type, or 0 for data
    flags: int
    stream_id: int
    payload: bytes


class SpdyError(ValueError):
    pass


class Codec:
    """Parses SPDY frames from a byte stream and builds the server's frames."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._inflate = zlib.decompressobj(zdict=DICTIONARY)
        self._deflate = zlib.compressobj(zdict=DICTIONARY)

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames: list[Frame] = []
        while len(self._buffer) >= 8:
            first, second = struct.unpack_from("!II", self._buffer)
            length = second & 0xFFFFFF
            if len(self._buffer) < 8 + length:
                break
            payload = bytes(self._buffer[8 : 8 + length])
            del self._buffer[: 8 + length]
            flags = second >> 24
            if first & 0x80000000:
                version, kind = (first >> 16) & 0x7FFF, first & 0xFFFF
                if version != VERSION:
                    raise SpdyError(f"unsupported SPDY version {version}")
                stream_id = struct.unpack_from("!I", payload)[0] & 0x7FFFFFFF if len(payload) >= 4 else 0
                frames.append(Frame(True, kind, flags, stream_id, payload))
            else:
                frames.append(Frame(False, 0, flags, first & 0x7FFFFFFF, payload))
        return frames

    def headers(self, frame: Frame) -> dict[str, str]:
        """The name/value block of a SYN_STREAM (after stream ids, priority and slot)."""
        block = self._inflate.decompress(frame.payload[10:])
        count = struct.unpack_from("!I", block)[0]
        pos, out = 4, {}
        for _ in range(count):
            (n,) = struct.unpack_from("!I", block, pos)
            name = block[pos + 4 : pos + 4 + n].decode("latin-1")
            pos += 4 + n
            (n,) = struct.unpack_from("!I", block, pos)
            value = block[pos + 4 : pos + 4 + n].decode("latin-1")
            pos += 4 + n
            out[name.lower()] = value.split("\x00")[0]
        return out

    def syn_reply(self, stream_id: int) -> bytes:
        block = self._deflate.compress(struct.pack("!I", 0)) + self._deflate.flush(zlib.Z_SYNC_FLUSH)
        return _control(SYN_REPLY, 0, struct.pack("!I", stream_id) + block)


def _control(kind: int, flags: int, payload: bytes) -> bytes:
    return struct.pack("!HHI", 0x8000 | VERSION, kind, (flags << 24) | len(payload)) + payload


def data(stream_id: int, payload: bytes, fin: bool = False) -> bytes:
    """DATA frames for `payload` (split at MAX_DATA), the last one with FIN when asked."""
    chunks = [payload[i : i + MAX_DATA] for i in range(0, len(payload), MAX_DATA)] or [b""]
    out = b""
    for n, chunk in enumerate(chunks):
        flags = FLAG_FIN if fin and n == len(chunks) - 1 else 0
        out += struct.pack("!II", stream_id & 0x7FFFFFFF, (flags << 24) | len(chunk)) + chunk
    return out


def ping(payload: bytes) -> bytes:
    return _control(PING, 0, payload)
