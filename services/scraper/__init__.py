"""The newswire scraper: feeds, news sitemaps and article pages into `news.articles.raw`.

Polite (robots.txt, per-host limits, conditional GET), safe (SSRF guard, size and time limits)
and loss-free (an article is marked seen only after the broker acknowledged it).
"""

from .errors import ScraperError

__all__ = ["ScraperError"]
