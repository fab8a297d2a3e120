"""Two demos, a crash and a second run, as a user meets them:

- a second demo on the same ports is refused with a one-line reason naming the busy port, and one
  on the same data dir with a reason naming the folder, before either touches anything (it never
  starts a broker, never wipes the first demo's data, even with --fresh);
- `kill -9` of the enricher, then of the broker, restarts just that part (reported and counted),
  the rest keeps serving;
- Ctrl-C stops everything and leaves no process; the next run keeps the articles of the first.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from newswire.ports import free_port
from tests.faults.outcomes import Outcome, recorded

from .test_demo import processes_of

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

ENGINE = os.environ.get("NEWSWIRE_TEST_BROKER", "kafka")
DEMO = [sys.executable, "-m", "newswire.cli", "demo"]


class Output:
    """A demo's output, read on a thread so that waiting for a line never blocks the test."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._pump, args=(process,), daemon=True).start()

    def _pump(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            with self._changed:
                self.lines.append(raw.decode(errors="replace"))
                self._changed.notify_all()
        with self._changed:
            self.lines.append("<end of output>")
            self._changed.notify_all()

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: str, *, timeout: float) -> str:
        with self._changed:
            ok = self._changed.wait_for(lambda: re.search(pattern, self.text) or "<end of output>" in self.text, timeout)
        match = re.search(pattern, self.text)
        assert ok and match, f"the demo never printed {pattern!r}:\n{self.text}"
        return match.group(0)


def demo_env(data: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")},
        "NEWSWIRE_DATA_DIR": str(data),
        "NEWSWIRE_BROKER_ENGINE": ENGINE,
        "NEWSWIRE_BROKER_PORT": str(free_port()),
        "NEWSWIRE_API_PORT": str(free_port()),
        "NEWSWIRE_SAMPLE_SITE_PORT": str(free_port()),
        "NEWSWIRE_SCRAPER_METRICS_PORT": str(free_port()),
        "NEWSWIRE_ENRICHER_METRICS_PORT": str(free_port()),
        "NEWSWIRE_DEMO_RESTART_DELAY": "1",
    }


def start_demo(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[bytes], Output]:
    process = subprocess.Popen([*DEMO, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = Output(process)
    output.wait_for(r"Press Ctrl-C", timeout=420)
    return process, output


def stop_demo(process: subprocess.Popen[bytes], output: Output) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    output.wait_for(r"<end of output>", timeout=30)


def refused(env: dict[str, str], *args: str) -> tuple[str, float]:
    """Run a demo that must refuse: (its one-line reason, seconds it took)."""
    started = time.monotonic()
    result = subprocess.run([*DEMO, *args], env=env, capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - started
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "starting" not in result.stdout, result.stdout  # it started nothing
    return lines[0], seconds


def enricher_pid(data: Path) -> int:
    """The enricher's main process: its data dir is in its environment and it leads its group."""
    marker = f"NEWSWIRE_DATA_DIR={data / 'enricher'}\0".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (
                marker in (proc / "environ").read_bytes()
                and b"enrich" in (proc / "cmdline").read_bytes()
                and os.getpgid(int(proc.name)) == int(proc.name)
            ):
                return int(proc.name)
        except OSError:
            continue
    raise AssertionError(f"no enricher of {data} is running")


def broker_pid(data: Path) -> int:
    """The demo's broker: the one process with its broker folder on the command line."""
    marker = str(data / "broker").encode()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker in (proc / "cmdline").read_bytes():
                return int(proc.name)
        except OSError:
            continue
    raise AssertionError(f"no broker of {data} is running")


def stored_ids(api: str) -> set[str]:
    response = httpx.get(f"{api}/v1/articles", params={"limit": "200", "fields": "id"}, timeout=10)
    response.raise_for_status()
    return {item["id"] for item in response.json()["items"]}


def wait_until(condition, *, what: str, timeout: float):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except (httpx.HTTPError, AssertionError):
            value = None
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.mark.faults
def test_one_demo_per_ports_and_data_dir_a_crash_is_restarted_and_data_is_kept(tmp_path: Path) -> None:
    with recorded(
        case="fault.demo-service-sigkill",
        kind="fault",
        tried="`newswire demo`: a second demo on its ports, one on its data dir; kill -9 of the enricher, "
        "then of the broker; Ctrl-C; a second run",
    ) as outcome:
        _one_demo_a_crash_restarted_data_kept(tmp_path, outcome)


def _one_demo_a_crash_restarted_data_kept(tmp_path: Path, outcome: Outcome) -> None:
    data = tmp_path / "first"
    env = demo_env(data)
    api = f"http://127.0.0.1:{env['NEWSWIRE_API_PORT']}"
    first, output = start_demo(env, "--fresh")
    try:
        assert "mode             sample newsroom" in output.text
        ids = wait_until(lambda: stored_ids(api), what="enriched articles in the store", timeout=300)

        # A second demo on the same ports (its own folder) is refused, naming the busy port.
        other = tmp_path / "second"
        reason, seconds = refused({**env, "NEWSWIRE_DATA_DIR": str(other)})
        print(f"second demo on the same ports refused in {seconds:.1f} s: {reason}")
        assert f"port {env['NEWSWIRE_API_PORT']} (API) is already in use" in reason
        assert not other.exists()
        # One on other ports but the same folder is refused naming the folder, and wipes nothing.
        reason, seconds = refused({**demo_env(data)}, "--fresh")
        print(f"second demo on the same data dir refused in {seconds:.1f} s: {reason}")
        assert f"the data dir {data} is in use by another demo (pid {first.pid})" in reason
        assert (data / "logs" / "enricher.log").exists() and ids <= stored_ids(api)

        # kill -9 of the enricher: it is restarted, nothing else stops.
        crashed = enricher_pid(data)
        os.kill(crashed, signal.SIGKILL)
        output.wait_for(r"enricher exited with code -9 .*restarting it in 1 s", timeout=60)
        output.wait_for(r"enricher restarted \(restart 1\)", timeout=60)
        assert enricher_pid(data) != crashed
        metrics = f"http://127.0.0.1:{env['NEWSWIRE_ENRICHER_METRICS_PORT']}/metrics"
        wait_until(lambda: httpx.get(metrics, timeout=5).status_code == 200, what="the new enricher", timeout=120)
        assert first.poll() is None and httpx.get(f"{api}/healthz", timeout=10).status_code == 200

        # kill -9 of the broker: it is restarted on its port with its data, the demo goes on.
        os.kill(broker_pid(data), signal.SIGKILL)
        output.wait_for(r"broker exited with code -9 .*restarting it in 1 s", timeout=60)
        output.wait_for(r"broker restarted \(restart 1\)", timeout=240)
        assert first.poll() is None and httpx.get(f"{api}/healthz", timeout=10).status_code == 200
    finally:
        stop_demo(first, output)
    assert first.returncode == 0, output.text
    assert "restarts during this run: broker 1, enricher 1" in output.text
    assert processes_of(data) == []

    # The next run (no --fresh) keeps the store: the first run's articles are there at once.
    again, output = start_demo(env)
    try:
        assert "keeping the data of earlier runs" in output.text
        kept = ids & stored_ids(api)
        assert kept == ids
    finally:
        stop_demo(again, output)
    assert again.returncode == 0, output.text
    assert processes_of(data) == []
    outcome.expected, outcome.delivered = len(ids), len(kept)
    outcome.behaviour = (
        "second demos refused naming the busy port and the locked folder, nothing touched; enricher and "
        "broker each restarted once, the API kept answering; Ctrl-C left no process; the next run served "
        f"all {len(kept)} stored articles"
    )
