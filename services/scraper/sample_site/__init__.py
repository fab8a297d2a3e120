"""The bundled sample news site: articles, feeds, sitemaps, robots.txt and hostile pages on 127.0.0.1.

`newswire sample-site` serves it; tests and the demo use `SampleSite` in-process.
"""

from .command import add_arguments, run, sources_for
from .server import HOSTILE_PATHS, SEED_PATH, RequestRecord, SampleSite

__all__ = ["HOSTILE_PATHS", "SEED_PATH", "RequestRecord", "SampleSite", "add_arguments", "run", "sources_for"]
