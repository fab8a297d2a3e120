"""robots.txt policy and cache (RFC 9309 status handling, Crawl-delay cap, one fetch per origin)."""

from newswire.scraper.robots import MAX_CRAWL_DELAY, RobotsCache

AGENT = "newswire"


class _Robots:
    def __init__(self, status: int, body: str = "") -> None:
        self.status, self.body = status, body.encode()
        self.asked: list[tuple[str, bool]] = []

    async def __call__(self, url: str, allow_private: bool) -> tuple[int, bytes]:
        self.asked.append((url, allow_private))
        return self.status, self.body


async def test_rules_wildcards_and_crawl_delay() -> None:
    fetch = _Robots(
        200, "User-agent: *\nDisallow: /search\nDisallow: /*?print=\nAllow: /search/about\nCrawl-delay: 2.5\n"
    )
    cache = RobotsCache(fetch, ttl=3600)
    policy = await cache.policy("https://news.example/a", allow_private=False)
    assert policy.can_fetch("https://news.example/world/story", AGENT)
    assert not policy.can_fetch("https://news.example/search?q=x", AGENT)
    assert policy.can_fetch("https://news.example/search/about", AGENT)
    assert not policy.can_fetch("https://news.example/story?print=1", AGENT)
    assert policy.crawl_delay(AGENT) == 2.5


async def test_one_fetch_per_origin_while_cached() -> None:
    fetch = _Robots(200, "User-agent: *\nDisallow:\n")
    cache = RobotsCache(fetch, ttl=3600)
    for path in ("/a", "/b", "/c"):
        await cache.policy(f"https://news.example{path}", allow_private=False)
    await cache.policy("https://other.example/a", allow_private=True)
    assert fetch.asked == [("https://news.example/robots.txt", False), ("https://other.example/robots.txt", True)]


async def test_missing_robots_allows_and_server_error_stops() -> None:
    missing = await RobotsCache(_Robots(404), ttl=60).policy("https://news.example/", allow_private=False)
    assert missing.can_fetch("https://news.example/anything", AGENT) and not missing.unavailable
    failing = await RobotsCache(_Robots(503), ttl=60).policy("https://news.example/", allow_private=False)
    assert failing.unavailable and not failing.can_fetch("https://news.example/anything", AGENT)
    unreachable = await RobotsCache(_Robots(0), ttl=60).policy("https://news.example/", allow_private=False)
    assert unreachable.unavailable


async def test_hostile_crawl_delay_is_capped() -> None:
    policy = await RobotsCache(_Robots(200, "User-agent: *\nCrawl-delay: 86400\n"), ttl=60).policy(
        "https://news.example/", allow_private=False
    )
    assert policy.crawl_delay(AGENT) == MAX_CRAWL_DELAY
