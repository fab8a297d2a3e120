"""A demo claims its data dir and ports before it touches anything; a second one is refused with a
reason that names the port or the folder, and a dead demo's claim does not linger."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from newswire.claim import Busy, DataDirLock, check_ports
from newswire.ports import free_port, port_in_use


def test_a_listening_port_is_busy_and_named() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port_in_use(port)
        with pytest.raises(Busy, match=rf"port {port} \(API\) is already in use.*NEWSWIRE_API_PORT"):
            check_ports({"Kafka broker": (free_port(), "NEWSWIRE_BROKER_PORT"), "API": (port, "NEWSWIRE_API_PORT")})
    assert not port_in_use(port)  # and free again once the listener is gone


def test_one_port_for_two_parts_is_refused() -> None:
    port = free_port()
    with pytest.raises(Busy, match=rf"port {port} is given to both the API and the sample site"):
        check_ports({"API": (port, "NEWSWIRE_API_PORT"), "sample site": (port, "NEWSWIRE_SAMPLE_SITE_PORT")})


def test_a_data_dir_held_by_another_process_is_refused_and_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    (data / "api").mkdir(parents=True)
    (data / "api" / "store.db").write_bytes(b"someone else's articles")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(data)], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(Busy, match=rf"the data dir {data} is in use by another demo \(pid {holder.pid}\)"):
            DataDirLock(data).acquire()
        assert (data / "api" / "store.db").read_bytes() == b"someone else's articles"
    finally:
        holder.kill()
        holder.wait()
    # The kernel dropped the dead holder's lock: the folder can be claimed again.
    lock = DataDirLock(data)
    lock.acquire()
    lock.release()


HOLD_LOCK = """
import sys
from pathlib import Path
from newswire.claim import DataDirLock
lock = DataDirLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
sys.stdin.read()
"""
