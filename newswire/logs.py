"""Logging set-up: one JSON object per line (or plain text for a terminal).

Library code only logs through module loggers; the `newswire` command configures handlers once.
Article-related lines pass `extra={"article_id": ..., "source": ...}` and those keys appear in the JSON.
"""

import logging
import sys
from datetime import UTC, datetime
from typing import Literal

import orjson

__all__ = ["RetriableBelowError", "configure_logging"]

_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class RetriableBelowError(logging.Filter):
    """aiokafka logs errors it retries by itself at ERROR: a group coordinator that is not
    available yet while a broker starts, a leader moving. Those are warnings; an operator who
    greps for errors (the runbook says to) sees only what needs a person."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and record.name.startswith(("aiokafka", "faust")):
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            if any(getattr(arg, "retriable", False) is True for arg in args):
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def configure_logging(*, service: str, level: str = "INFO", fmt: Literal["json", "text"] = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RetriableBelowError())
    if fmt == "json":
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiokafka is chatty at INFO about every (re)connection.
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
