"""Fixtures of the deployment tests: the Prometheus tools from Debian's `prometheus` package."""

import shutil

import pytest


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        # A missing tool fails rather than skips: `make test` installs it (make install-system).
        pytest.fail(f"{name} not found: run `make install-system` (Debian package prometheus)")
    return path


@pytest.fixture(scope="session")
def promtool() -> str:
    return _tool("promtool")


@pytest.fixture(scope="session")
def prometheus_binary() -> str:
    return _tool("prometheus")
