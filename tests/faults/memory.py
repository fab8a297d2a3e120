"""Resident memory of the soak's processes over time, and a verdict on growth that does not stop.

A process here is a process group (a service and the helpers it forks, e.g. the enricher's NLP
processes), read from /proc. A service that is restarted starts a new series ("incarnation"):
only a series that ran long enough is judged, from its steady state (after its warm-up) on.
"""

import os
import statistics
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["MemorySeries", "group_rss_mb", "judge", "process_rss_mb"]

_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 1e6 if hasattr(os, "sysconf") else 0.004096


def group_rss_mb(pgid: int) -> float | None:
    """RSS in MB of every live process of group `pgid` (None when the group is gone)."""
    total, found = 0.0, False
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            # fields[0] is the state, [2] the process group, [21] the RSS in pages
            if int(fields[2]) != pgid or fields[0] == "Z":
                continue
            total += int(fields[21]) * _PAGE_MB
            found = True
        except (OSError, IndexError, ValueError):
            continue
    return round(total, 1) if found else None


def process_rss_mb(pid: int) -> float | None:
    """RSS in MB of the one process `pid`."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return round(int(fields[21]) * _PAGE_MB, 1)


@dataclass
class MemorySeries:
    name: str
    #: (seconds since the soak started, MB), per incarnation (a restart starts a new list)
    incarnations: list[list[tuple[float, float]]] = field(default_factory=lambda: [[]])
    pgid: int | None = None

    def sample(self, *, pgid: int | None, at: float, whole_group: bool = True) -> None:
        if pgid is None:
            return
        if self.pgid is not None and pgid != self.pgid and self.incarnations[-1]:
            self.incarnations.append([])
        self.pgid = pgid
        rss = group_rss_mb(pgid) if whole_group else process_rss_mb(pgid)
        if rss is not None:
            self.incarnations[-1].append((round(at, 1), rss))

    @property
    def start(self) -> float | None:
        first = self.incarnations[0]
        return first[0][1] if first else None

    @property
    def end(self) -> float | None:
        last = next((s for s in reversed(self.incarnations) if s), [])
        return last[-1][1] if last else None


def judge(series: MemorySeries, *, warmup: float) -> dict[str, object]:
    """Verdict on the longest incarnation's steady state: `flat`, `levelled` or `growing`.

    `growing` means both halves of the steady state rose, the second by at least half as much as
    the first (it is not levelling off), and the total rise is above max(10 %, 20 MB): memory
    that climbs at a steady pace, which over hours is what runs a machine out of memory.
    """
    longest = max(series.incarnations, key=lambda s: s[-1][0] - s[0][0] if s else 0.0)
    steady = [(t, mb) for t, mb in longest if t - longest[0][0] >= warmup] if longest else []
    out: dict[str, object] = {
        "start_mb": series.start,
        "end_mb": series.end,
        "incarnations": sum(1 for s in series.incarnations if s),
    }
    if len(steady) < 6:
        return out | {"verdict": "too short to judge", "samples": len(steady)}
    half = len(steady) // 2
    first, second = steady[:half], steady[half:]
    rise_first = statistics.median(mb for _, mb in first[-3:]) - statistics.median(mb for _, mb in first[:3])
    rise_second = statistics.median(mb for _, mb in second[-3:]) - statistics.median(mb for _, mb in second[:3])
    base = statistics.median(mb for _, mb in steady[:3])
    total = statistics.median(mb for _, mb in steady[-3:]) - base
    hours = (steady[-1][0] - steady[0][0]) / 3600
    growing = rise_first > 0 and rise_second > 0 and rise_second >= rise_first / 2 and total > max(0.1 * base, 20.0)
    verdict = "growing" if growing else ("levelled" if total > max(0.1 * base, 20.0) else "flat")
    return out | {
        "steady_start_mb": round(base, 1),
        "steady_end_mb": round(base + total, 1),
        "rise_mb": round(total, 1),
        "mb_per_hour": round(total / hours, 1) if hours else None,
        "verdict": verdict,
    }

