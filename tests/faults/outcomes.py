"""What each fault or bad-input case did, recorded for docs/RELIABILITY.md, and the delivery check.

Every case writes one `Outcome` (what was tried, what the system did, articles expected, delivered,
lost and duplicated) into a JSON file, `test-artifacts/reliability.json` unless
`NEWSWIRE_RELIABILITY_RESULTS` names another; `tests/faults/report.py` turns that file into the
document. A case records its outcome before it asserts, so a failure is in the table too.

`check_delivery` is the invariant of the fault cases: every expected article is in the enriched
topic, in the store and on each resumed stream; the enriched topic may hold an article twice
(at-least-once), the store never, and a resumed stream never repeats an event, nor sends an
article more often than the topic holds it.
"""

import json
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from .pipeline import EnrichedRecord
from .streams import ResumingStream

__all__ = ["RESULTS", "Delivery", "Outcome", "check_delivery", "full_mode", "record", "recorded"]

REPO = Path(__file__).resolve().parents[2]
RESULTS = Path(os.environ.get("NEWSWIRE_RELIABILITY_RESULTS", REPO / "test-artifacts" / "reliability.json"))
_LOCK = threading.Lock()


def full_mode() -> bool:
    """`NEWSWIRE_FAULTS_FULL=1` (make test-faults): more articles and repetitions."""
    return os.environ.get("NEWSWIRE_FAULTS_FULL", "") not in ("", "0", "false")


@dataclass
class Outcome:
    case: str
    kind: Literal["fault", "bad input"]
    tried: str
    behaviour: str
    expected: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    passed: bool = True
    details: dict[str, Any] = field(default_factory=dict)


def record(outcome: Outcome) -> None:
    """Add or replace the case's entry in the results file."""
    with _LOCK:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        data: dict[str, Any] = {"cases": {}}
        if RESULTS.exists():
            try:
                data = json.loads(RESULTS.read_text())
            except ValueError:
                data = {"cases": {}}
        entry = asdict(outcome) | {
            "mode": "full" if full_mode() else "short",
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        data.setdefault("cases", {})[outcome.case] = entry
        RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


@contextmanager
def recorded(*, case: str, kind: Literal["fault", "bad input"], tried: str) -> Iterator[Outcome]:
    """An outcome for a case whose checks are assertions: failed unless the block completes.

    The block fills in `behaviour` (and counts) as it learns them; the outcome is recorded
    whether the block passes or fails, so a failure is in the table too."""
    outcome = Outcome(case=case, kind=kind, tried=tried, behaviour="did not complete", passed=False)
    try:
        yield outcome
    except BaseException as exc:
        outcome.behaviour = f"{outcome.behaviour}; failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        raise
    else:
        outcome.passed = True
    finally:
        record(outcome)


@dataclass
class Delivery:
    """Where the expected articles got to, per stage."""

    expected: int
    missing_enriched: list[str]
    missing_stored: list[str]
    missing_streamed: dict[str, list[str]]
    enriched_duplicates: int
    stored_duplicates: list[str]
    repeated_events: dict[str, int]
    stream_extra_copies: dict[str, list[str]]
    stream_duplicates: dict[str, int]

    @property
    def lost(self) -> set[str]:
        lost = set(self.missing_enriched) | set(self.missing_stored)
        for ids in self.missing_streamed.values():
            lost |= set(ids)
        return lost

    @property
    def violations(self) -> list[str]:
        problems = []
        if self.missing_enriched:
            problems.append(f"{len(self.missing_enriched)} never enriched: {self.missing_enriched[:5]}")
        if self.missing_stored:
            problems.append(f"{len(self.missing_stored)} not in the store: {self.missing_stored[:5]}")
        if self.stored_duplicates:
            problems.append(f"listed twice by the store: {self.stored_duplicates[:5]}")
        for name, ids in self.missing_streamed.items():
            if ids:
                problems.append(f"{len(ids)} missing on stream {name}: {ids[:5]}")
        for name, count in self.repeated_events.items():
            if count:
                problems.append(f"stream {name} repeated {count} events")
        for name, ids in self.stream_extra_copies.items():
            if ids:
                problems.append(f"stream {name} sent more copies than the topic holds: {ids[:5]}")
        return problems

    def summary(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "lost": len(self.lost),
            "enriched_duplicates": self.enriched_duplicates,
            "stored_duplicates": len(self.stored_duplicates),
            "stream_duplicates": self.stream_duplicates,
            "repeated_events": self.repeated_events,
            "violations": self.violations,
        }


def check_delivery(
    expected: Iterable[str],
    *,
    enriched: Sequence[EnrichedRecord],
    stored: Sequence[str],
    streams: dict[str, ResumingStream],
) -> Delivery:
    wanted = set(expected)
    in_topic = Counter(r.article_id for r in enriched)
    in_store = Counter(stored)
    missing_streamed: dict[str, list[str]] = {}
    repeated: dict[str, int] = {}
    extra: dict[str, list[str]] = {}
    stream_dups: dict[str, int] = {}
    for name, stream in streams.items():
        ids = Counter(stream.ids)
        tokens = Counter(e.token for e in stream.events)
        missing_streamed[name] = sorted(wanted - set(ids))
        repeated[name] = sum(n - 1 for n in tokens.values() if n > 1)
        extra[name] = sorted(i for i, n in ids.items() if n > max(in_topic.get(i, 0), 1))
        stream_dups[name] = sum(n - 1 for i, n in ids.items() if i in wanted and n > 1)
    return Delivery(
        expected=len(wanted),
        missing_enriched=sorted(wanted - set(in_topic)),
        missing_stored=sorted(wanted - set(in_store)),
        missing_streamed=missing_streamed,
        enriched_duplicates=sum(n - 1 for i, n in in_topic.items() if i in wanted and n > 1),
        stored_duplicates=sorted(i for i, n in in_store.items() if n > 1),
        repeated_events=repeated,
        stream_extra_copies=extra,
        stream_duplicates=stream_dups,
    )
