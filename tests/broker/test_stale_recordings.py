"""Partial class-data-sharing archives: those nobody can finish any more are removed on start; a
recording in progress (its JVM, or the launcher that will rename it, still alive) is kept."""

import os
import subprocess
import sys
import time
from pathlib import Path

from newswire.broker.kafka import remove_stale_recordings


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_partials_of_dead_recordings_go_and_live_ones_stay(tmp_path: Path) -> None:
    archive = "classes-0123456789ab.jsa"
    of_dead_owner = tmp_path / f"{archive}.{dead_pid()}-{'a' * 32}.part"
    without_owner = tmp_path / f"{archive}.{'b' * 32}.part"  # named by older launchers
    of_live_owner = tmp_path / f"{archive}.{os.getpid()}-{'c' * 32}.part"
    being_written = tmp_path / f"{archive}.{dead_pid()}-{'d' * 32}.part"
    finished = tmp_path / archive
    for path in (of_dead_owner, without_owner, of_live_owner, being_written, finished):
        path.write_bytes(b"\0" * 64)
    # A process whose command line names the partial stands for the JVM still recording it.
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()", f"-XX:ArchiveClassesAtExit={being_written}"],
        stdin=subprocess.PIPE,
    )
    try:
        wait_for_command_line(writer.pid, str(being_written))
        removed = remove_stale_recordings(tmp_path)
    finally:
        writer.kill()
        writer.wait()
    assert sorted(removed) == sorted([of_dead_owner, without_owner])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (of_live_owner, being_written, finished)
    )
    # Once the writer is gone too, its partial is stale.
    assert remove_stale_recordings(tmp_path) == [being_written]


def wait_for_command_line(pid: int, marker: str) -> None:
    """Right after a fork the new process may not show its command line yet."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    deadline = time.monotonic() + 30
    while marker.encode() not in cmdline.read_bytes():
        assert time.monotonic() < deadline, f"process {pid} never showed {marker}"
        time.sleep(0.05)
