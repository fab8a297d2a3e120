"""Drive Debian's headless Chromium over the DevTools protocol (a small client on `websockets`)."""

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import websockets

__all__ = ["ARTIFACTS", "CHROMIUM", "Page", "chromium_page"]

#: Where screenshots go (kept by CI as test artifacts).
ARTIFACTS = Path(os.environ.get("NEWSWIRE_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1440,1000",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
]


class Page:
    def __init__(self, connection: Any) -> None:
        self._ws = connection
        self._ids = itertools.count(1)
        self.console: list[str] = []

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        await self._ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(await self._ws.recv())
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if reply.get("method") == "Runtime.consoleAPICalled":
                self.console.append(
                    " ".join(str(a.get("value", a.get("description", ""))) for a in reply["params"]["args"])
                )

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("text", "evaluation failed"))
        return result["result"].get("value")

    async def wait_for(self, expression: str, *, timeout: float = 60) -> Any:
        """Poll until `expression` is truthy in the page; the timeout only stops a broken test from hanging."""
        async with asyncio.timeout(timeout):
            while not (value := await self.evaluate(expression)):
                await asyncio.sleep(0.1)
        return value

    async def screenshot(self, path: Path) -> None:
        data = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))


@asynccontextmanager
async def chromium_page(url: str, *, flags: tuple[str, ...] = ()) -> AsyncIterator[Page]:
    """A headless Chromium with a fresh profile, showing `url`; `flags` are added to its command line."""
    # Chromium's helper processes may still write to the profile while it is removed.
    with tempfile.TemporaryDirectory(prefix="newswire-chromium-", ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen(
            [CHROMIUM, *FLAGS, *flags, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            async with asyncio.timeout(60):
                while not port_file.exists() or not port_file.read_text().strip():
                    if process.poll() is not None:
                        raise RuntimeError(f"chromium exited with {process.returncode}")
                    await asyncio.sleep(0.1)
            port = int(port_file.read_text().split()[0])
            request = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
            target = await asyncio.to_thread(lambda: json.loads(urllib.request.urlopen(request, timeout=10).read()))
            async with websockets.connect(target["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024) as connection:
                page = Page(connection)
                await page.send("Page.enable")
                await page.send("Runtime.enable")
                await page.send("Page.navigate", url=url)
                yield page
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # the renderer and GPU helpers too
