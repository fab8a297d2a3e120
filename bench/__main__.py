"""`make bench`: run every bench/bench_*.py in turn and print their tables.

Each benchmark is a module with a `main() -> int` that prints a markdown table and writes
bench/results/<name>.json with the machine's cores and memory. Benchmarks compare against a
baseline measured in the same run and report ratios: absolute times on a shared 2-core
machine are noisy.
"""

import importlib
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    failures = 0
    for name in names:
        if wanted and name.removeprefix("bench_") not in wanted:
            continue
        print(f"\n## {name.removeprefix('bench_')}\n", flush=True)
        started = time.monotonic()
        try:
            failures += int(importlib.import_module(f"bench.{name}").main() or 0) != 0
        except Exception as exc:  # one broken benchmark must not hide the others' results
            print(f"{name} failed: {exc!r}", file=sys.stderr)
            failures += 1
        print(f"\n({name} took {time.monotonic() - started:.0f} s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
