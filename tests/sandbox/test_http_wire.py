"""The HTTP/1.1 server on the wire: chunked request bodies, Connection: close, garbage."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from cockpit.sandbox import resources as r
from cockpit.sandbox.server import Sandbox


@pytest.fixture
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(world=False).start()
    sandbox.store.create(r.NAMESPACES, {"metadata": {"name": "default"}})
    yield sandbox
    sandbox.stop()


def _exchange(box: Sandbox, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", box.port), timeout=5) as sock:
        sock.sendall(raw)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def test_chunked_request_body_and_connection_close(box: Sandbox) -> None:
    body = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"wire"},"data":{"a":"b"}}'
    half = len(body) // 2
    request = (
        b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n"
        % (half, body[:half], len(body) - half, body[half:])
    )
    reply = _exchange(box, request)
    assert reply.startswith(b"HTTP/1.1 201 Created\r\n") and b"Connection: close" in reply
    assert box.store.get(r.CONFIGMAPS, "default", "wire")["data"] == {"a": "b"}


def test_two_requests_on_one_connection_then_garbage_closes_it(box: Sandbox) -> None:
    get = b"GET /version HTTP/1.1\r\nHost: x\r\n\r\n"
    reply = _exchange(box, get + get + b"NONSENSE\r\n\r\n")
    assert reply.count(b"HTTP/1.1 200 OK") == 2


def test_a_watch_whose_client_vanishes_is_unregistered(box: Sandbox) -> None:
    store = box.store
    with socket.create_connection(("127.0.0.1", box.port), timeout=5) as sock:
        sock.sendall(b"GET /api/v1/namespaces?watch=1&resourceVersion=0 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 OK")
        deadline = time.monotonic() + 5
        while not store._watches[r.NAMESPACES] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(store._watches[r.NAMESPACES]) == 1
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # reset
    deadline = time.monotonic() + 5
    while store._watches[r.NAMESPACES] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store._watches[r.NAMESPACES] == []
