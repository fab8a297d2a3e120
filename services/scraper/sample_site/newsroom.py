"""The live newsroom: the sample site releases stories from a bundled corpus of real news over time.

The corpus (`corpus/wikinews.jsonl.gz`, Wikinews 2019-2020, CC BY 2.5; see `corpus/SOURCE.md`) is released
in a shuffled order (many topics and countries in the first minutes, not one month of one year), one
story every `pace` seconds on average (each gap drawn between 2/3 and 4/3 of it). A story's publication
time is the moment it is released. With a state file the newsroom remembers what it released and when,
so a restarted demo keeps those stories (and their times) and goes on with the next ones.
"""

import gzip
import html
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

import orjson

from .content import ArticleFile

__all__ = ["CORPUS_LICENCE_URL", "Newsroom", "load_corpus"]

logger = logging.getLogger(__name__)

CORPUS_LICENCE_URL = "https://creativecommons.org/licenses/by/2.5/"
_PATH_PREFIX = "/news/"


def _credit(*, title: str, source_url: str) -> str:
    return (
        f'<p class="credit">Adapted from <a href="{html.escape(source_url)}">&ldquo;{html.escape(title)}&rdquo;</a>'
        f' by Wikinews contributors, licensed under <a href="{CORPUS_LICENCE_URL}">CC BY 2.5</a>;'
        " dateline removed and republished with a new publication time.</p>"
    )


def load_corpus() -> list[ArticleFile]:
    """Every corpus story as a sample-site article under `/news/<slug>.html`, in corpus order."""
    data = resources.files(__package__).joinpath("corpus", "wikinews.jsonl.gz").read_bytes()
    articles = []
    for line in gzip.decompress(data).splitlines():
        record = orjson.loads(line)
        paragraphs: list[str] = record["paragraphs"]
        first = paragraphs[0]
        description = first if len(first) <= 240 else first[:240].rsplit(" ", 1)[0] + "…"
        articles.append(
            ArticleFile(
                path=f"{_PATH_PREFIX}{record['slug']}.html",
                template="newsroom",
                title=record["title"],
                author="Wikinews contributors",
                # The story's own date; the site publishes it at its release time instead.
                published=datetime.fromisoformat(record["source_date"] + "T12:00:00+00:00"),
                section="World",
                description=description,
                language="en",
                # Escape the markup characters content.py reads in bodies: corpus text is plain prose.
                body="\n\n".join(p.replace("[", "(").replace("]", ")") for p in paragraphs),
                credit=_credit(title=record["title"], source_url=record["source_url"]),
            )
        )
    return articles


@dataclass(slots=True)
class _State:
    started_at: datetime
    released: dict[str, datetime]


class Newsroom:
    """When each corpus story is released, given a start time, a pace and what was released before."""

    def __init__(
        self,
        *,
        articles: list[ArticleFile],
        now: datetime,
        pace: float,
        seed: int = 15,
        state_file: Path | None = None,
    ) -> None:
        if pace <= 0:
            raise ValueError("the newsroom's pace must be a positive number of seconds")
        self.articles = articles
        self.pace = pace
        self.state_file = state_file
        state = self._load(now)
        self.started_at = state.started_at
        order = list(articles)
        random.Random(seed).shuffle(order)
        rng = random.Random(f"{seed}:{now.isoformat()}")
        self.release_at: dict[str, datetime] = {}
        at = now
        for article in order:
            if article.path in state.released:
                self.release_at[article.path] = state.released[article.path]
                continue
            at += timedelta(seconds=rng.uniform(pace * 2 / 3, pace * 4 / 3))
            self.release_at[article.path] = at.replace(microsecond=0)
        self._saved = len(state.released)
        self._exhausted_logged = False

    def released_count(self, now: datetime) -> int:
        return sum(1 for t in self.release_at.values() if t <= now)

    def remember(self, now: datetime) -> None:
        """Write what has been released so far (called when the site notices a new release)."""
        released = {p: t for p, t in self.release_at.items() if t <= now}
        if len(released) == len(self.release_at) and not self._exhausted_logged:
            self._exhausted_logged = True
            logger.info("newsroom: all %s corpus stories released", len(released))
        if self.state_file is None or len(released) == self._saved:
            return
        payload = {
            "started_at": self.started_at.isoformat(),
            "released": {path: at.isoformat() for path, at in released.items()},
        }
        try:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.state_file.with_suffix(".tmp")
            tmp.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
            tmp.replace(self.state_file)
            self._saved = len(released)
        except OSError as exc:  # the demo goes on; only a restart would lose track
            logger.warning("newsroom: cannot write %s: %s", self.state_file, exc)

    def _load(self, now: datetime) -> _State:
        if self.state_file is None or not self.state_file.exists():
            return _State(started_at=now, released={})
        try:
            raw = orjson.loads(self.state_file.read_bytes())
            known = {a.path for a in self.articles}
            released = {p: datetime.fromisoformat(t) for p, t in raw["released"].items() if p in known}
            return _State(started_at=datetime.fromisoformat(raw["started_at"]), released=released)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            logger.warning("newsroom: ignoring unreadable state %s (%s); starting over", self.state_file, exc)
            return _State(started_at=now, released={})
