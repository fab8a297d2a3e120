"""Readiness probe that speaks the Kafka protocol: an ApiVersions request any Kafka-compatible
broker (Apache Kafka, Tansu) must answer, so "port open" is never mistaken for "broker ready"."""

import socket
import struct
import time
from collections.abc import Callable

__all__ = ["kafka_answers", "wait_until_ready"]

_API_VERSIONS = 18


def kafka_answers(host: str, port: int, *, timeout: float = 2.0) -> bool:
    """True when the broker at host:port answers ApiVersions v0 without an error code."""
    client_id = b"newswire-probe"
    body = struct.pack(">hhih", _API_VERSIONS, 0, 1, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(struct.pack(">i", len(body)) + body)
            header = _read_exactly(sock, 4)
            (size,) = struct.unpack(">i", header)
            response = _read_exactly(sock, size)
    except OSError:
        return False
    correlation_id, error_code = struct.unpack(">ih", response[:6])
    return bool(correlation_id == 1 and error_code == 0)


def wait_until_ready(host: str, port: int, *, timeout: float, alive: Callable[[], bool] | None = None) -> float:
    """Poll until the broker answers; returns the seconds waited. Raises TimeoutError, or
    RuntimeError when `alive()` says the broker process has died meanwhile."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if kafka_answers(host, port):
            return time.monotonic() - started
        if alive is not None and not alive():
            raise RuntimeError("broker process exited before it became ready")
        time.sleep(0.1)
    raise TimeoutError(f"no Kafka broker answered on {host}:{port} within {timeout:.0f} s")


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("broker closed the connection")
        chunks += chunk
    return bytes(chunks)
