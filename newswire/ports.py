"""Loopback ports: free ones for internal listeners, and whether a fixed one is taken."""

import errno
import socket

__all__ = ["free_port", "port_in_use"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, *, host: str = "127.0.0.1") -> bool:
    """True when something listens on `host:port` (or on every address) so that we could not.

    SO_REUSEADDR as the servers use it: connections of a stopped server still in TIME_WAIT do not
    count as in use, a listening socket does.
    """
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False
