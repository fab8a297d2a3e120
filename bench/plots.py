"""PNG plots of the end-to-end benchmark: freshness distribution per rate, throughput per stage."""

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt

__all__ = ["plot_latency", "plot_throughput"]


def plot_latency(latencies: Mapping[str, Sequence[float]], path: Path, *, target: float) -> None:
    """Cumulative distribution of page-publication-to-SSE freshness, one line per offered rate."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for label, values in latencies.items():
        if not values:
            continue
        ordered = sorted(values)
        ax.plot(ordered, [(i + 1) / len(ordered) for i in range(len(ordered))], label=label)
    ax.axvline(target, color="grey", linestyle="--", linewidth=1, label=f"{target:g} s target")
    ax.set_xscale("log")
    ax.set_xlabel("freshness: page published -> event on the SSE client (s, log scale)")
    ax.set_ylabel("share of articles")
    ax.set_title("End-to-end freshness by offered rate")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_throughput(stages: Mapping[str, Sequence[float]], path: Path, *, start: float, bin_seconds: int = 5) -> None:
    """Articles per second passing each stage over the run (averaged over `bin_seconds` bins)."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for label, times in stages.items():
        bins = Counter(int((t - start) // bin_seconds) for t in times)
        if not bins:
            continue
        xs = list(range(max(bins) + 1))
        ax.plot([x * bin_seconds for x in xs], [bins.get(x, 0) / bin_seconds for x in xs], label=label, linewidth=1.2)
    ax.set_xlabel("seconds since the first measured article")
    ax.set_ylabel(f"articles per second ({bin_seconds} s average)")
    ax.set_title("Throughput per stage")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
