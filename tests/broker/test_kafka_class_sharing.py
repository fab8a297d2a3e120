"""The Apache Kafka launcher records a class-data-sharing archive once and maps it afterwards; an
interrupted recording (a demo SIGKILLed while its broker starts, partial archives of earlier
crashes) leaves nothing that a later start trips over.

Each test has a Kafka cache of its own (the shared jars linked in), so archives that other runs
on this machine recorded or left half-written never decide the outcome.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newswire.broker import DEFAULT_KAFKA_VERSION
from newswire.broker.kafka import KafkaBroker
from newswire.ports import free_port
from tests.faults.outcomes import recorded

from .kafka_cache import private_kafka_cache

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(600),
    pytest.mark.skipif(shutil.which("java") is None, reason="Apache Kafka needs Java"),
]


def check_records_then_maps(cache: Path, workdir: Path) -> None:
    """A first start records the archive whole (nothing partial left), the second maps it."""
    first = KafkaBroker(port=free_port(), data_dir=workdir / "first", cache_dir=cache)
    with first:
        pass
    archive = first.archive_path()
    assert archive.exists() and archive.stat().st_size > 1_000_000
    assert partials(archive.parent) == []  # no recording left behind

    second = KafkaBroker(port=free_port(), data_dir=workdir / "second", cache_dir=cache)
    with second:
        assert f"-XX:SharedArchiveFile={archive}" in second.command()
    # The JVM reports an archive it cannot map as a warning on stdout: there is none.
    assert "cds" not in second.log_path.read_text().lower()


def partials(folder: Path) -> list[Path]:
    return sorted(folder.glob("classes-*.jsa.*.part"))


def test_second_start_maps_the_archive_the_first_recorded(tmp_path: Path) -> None:
    check_records_then_maps(private_kafka_cache(tmp_path / "cache"), tmp_path)


@pytest.mark.faults
def test_stale_partials_and_a_demo_killed_mid_recording_break_nothing(tmp_path: Path) -> None:
    with recorded(
        case="fault.kafka-cache-interrupted-recording",
        kind="fault",
        tried="stale partial class-data-sharing archives in the Kafka cache, and a demo SIGKILLed while its "
        "broker records the archive; then a start",
    ) as outcome:
        _stale_partials_and_a_killed_recording(tmp_path)
        outcome.behaviour = (
            "the start removed the stale partials; the killed demo's broker ended with it; the next start "
            "recorded and mapped the archive; no partial file left"
        )


def _stale_partials_and_a_killed_recording(tmp_path: Path) -> None:
    cache = private_kafka_cache(tmp_path / "cache")
    folder = cache / DEFAULT_KAFKA_VERSION
    # Partial archives as interrupted recordings of earlier launchers left them (both namings).
    stale = [folder / "classes-0123456789ab.jsa.4fd1c0de9a8b4c1e9d7f00112233aabb.part"]
    stale.append(folder / f"classes-0123456789ab.jsa.{_dead_pid()}-00112233445566778899aabbccddeeff.part")
    for path in stale:
        path.write_bytes(b"\0" * 4096)

    # A demo killed with SIGKILL while its broker is starting and recording.
    data = tmp_path / "demo"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")},
        "NEWSWIRE_DATA_DIR": str(data),
        "NEWSWIRE_KAFKA_CACHE_DIR": str(cache),
        "NEWSWIRE_BROKER_ENGINE": "kafka",
        "NEWSWIRE_BROKER_PORT": str(free_port()),
        "NEWSWIRE_API_PORT": str(free_port()),
        "NEWSWIRE_SAMPLE_SITE_PORT": str(free_port()),
        "NEWSWIRE_SCRAPER_METRICS_PORT": str(free_port()),
        "NEWSWIRE_ENRICHER_METRICS_PORT": str(free_port()),
    }
    log = (tmp_path / "demo.out").open("wb")
    demo = subprocess.Popen(
        [sys.executable, "-m", "newswire.cli", "demo", "--fresh"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        recorder = _wait_for_recording_jvm(str(folder), demo)
        assert all(not p.exists() for p in stale), "the broker start did not remove the stale partials"
    finally:
        demo.send_signal(signal.SIGKILL)
        demo.wait()
        log.close()
    # The kernel tells the broker its parent died (SIGTERM); it ends and nothing of the demo lives on.
    _wait_gone(recorder)
    assert not _processes_naming(str(data)), (tmp_path / "demo.out").read_text()

    # The partial that the killed recording may have written is removed by the next start, which
    # records and maps like on a clean machine.
    check_records_then_maps(cache, tmp_path)
    assert partials(folder) == []


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _processes_naming(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if (
                marker.encode() in (entry / "cmdline").read_bytes()
                and (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
            ):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _wait_for_recording_jvm(folder: str, demo: subprocess.Popen[bytes]) -> int:
    """The pid of the broker JVM once it runs with -XX:ArchiveClassesAtExit into `folder`."""
    deadline = time.monotonic() + 300  # the first Maven fetch of the jars may be slow
    while time.monotonic() < deadline:
        for pid in _processes_naming(f"-XX:ArchiveClassesAtExit={folder}/"):
            return pid
        assert demo.poll() is None, "the demo ended before its broker started"
        time.sleep(0.1)
    raise AssertionError("the demo's broker never started recording")


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 180  # a recording JVM writes its archive as it exits
    while Path(f"/proc/{pid}").exists():
        stat = Path(f"/proc/{pid}/stat")
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return
        except OSError:
            return
        assert time.monotonic() < deadline, f"the broker (pid {pid}) outlived its killed demo"
        time.sleep(0.2)
