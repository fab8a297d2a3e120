"""Log levels: retries that aiokafka makes by itself (a group coordinator not available while the
broker starts) are warnings, not errors; a fatal Kafka error stays an error."""

import io
import logging

import orjson
import pytest
from aiokafka import errors

from newswire.logs import configure_logging


@pytest.fixture
def log_lines(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging(service="enricher", fmt="json")
    yield stream
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def test_start_up_coordinator_retries_are_warnings(log_lines: io.StringIO) -> None:
    log = logging.getLogger("aiokafka.consumer.group_coordinator")
    log.error("Group Coordinator Request failed: %s", errors.GroupCoordinatorNotAvailableError())
    log.error("Attempt to join group failed due to fatal error: %s", errors.InvalidGroupIdError())
    logging.getLogger("newswire.enricher").error("a real problem: %s", errors.GroupCoordinatorNotAvailableError())
    entries = [orjson.loads(line) for line in log_lines.getvalue().splitlines()]
    assert [(e["logger"], e["level"]) for e in entries] == [
        ("aiokafka.consumer.group_coordinator", "warning"),
        ("aiokafka.consumer.group_coordinator", "error"),
        ("newswire.enricher", "error"),  # our own code decides its own levels
    ]
