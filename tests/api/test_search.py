"""Full-text search in web-search syntax (words, "phrases", OR, -word) on SQLite and PostgreSQL,
the same answers from the live stream's in-process twin, and a 400 for what cannot be read."""

import pytest

from newswire.api.filters import ArticleFilter
from newswire.api.search import SearchSyntaxError, parse_query

from .conftest import Api
from .feed import article

TEXTS = {
    1: "Dengue cases rise in the northern province after heavy rains.",
    2: "A dengue outbreak in Peru strains hospitals across the coast.",
    3: "The land bridge between the two ports opened to trucks on Monday.",
    4: "Trucks crossed the bridge over land owned by farmers.",
    5: "Minister Ardana met Minister Belo to discuss fishing quotas.",
    6: "Belo visited the harbour and its new fishing fleet.",
}

#: query -> the articles it finds (numbers of TEXTS), newest (highest number) first.
CASES = {
    '"land bridge"': [3],
    "land bridge": [4, 3],
    "bridges": [4, 3],
    '"land bridge" OR harbour': [6, 3],
    "Ardana OR Belo": [6, 5],
    "Ardana OR Belo harbour": [6],
    "fishing Ardana OR Belo": [6, 5],
    "dengue": [2, 1],
    "dengue -Peru": [1],
    'dengue -"strains hospitals"': [1],
    "trucks -farmers -Monday": [],
    "trucks -farmers": [3],
    'Belo -"visited the harbour"': [5],
}


@pytest.fixture
async def corpus(rest_api: Api) -> Api:
    await rest_api.feed.publish(*(article(n, text=text) for n, text in TEXTS.items()))
    return rest_api


async def _found(api: Api, q: str) -> list[int]:
    response = await api.client.get("/v1/articles", params={"q": q})
    assert response.status_code == 200, (q, response.text)
    return [int(item["title"].removeprefix("Headline ")) for item in response.json()["items"]]


async def test_words_phrases_or_and_exclusions(corpus: Api) -> None:
    found = {q: await _found(corpus, q) for q in CASES}
    assert found == CASES


async def test_the_live_stream_chooses_what_the_store_finds(corpus: Api) -> None:
    articles = [article(n, text=text) for n, text in TEXTS.items()]
    for q, expected in CASES.items():
        flt = ArticleFilter(q=q)
        live = sorted((int(a.title.removeprefix("Headline ")) for a in articles if flt.matches(a)), reverse=True)
        assert live == expected == await _found(corpus, q), q


@pytest.mark.parametrize(
    ("q", "reason"),
    [
        ('"land bridge', "quote is not closed"),
        ("OR dengue", "`OR` needs"),
        ("dengue OR", "`OR` needs"),
        ("dengue OR OR Peru", "`OR` needs"),
        ("dengue OR -Peru", "cannot join an excluded"),
        ('Belo -"the harbour" OR Ardana', "cannot join an excluded"),
        ("-Peru", "only excludes"),
        ('-"land bridge" -Peru', "only excludes"),
        (" ".join(f"w{n}" for n in range(17)), "at most 16 terms"),
    ],
)
async def test_a_query_that_cannot_be_read_is_a_400_with_the_reason(rest_api: Api, q: str, reason: str) -> None:
    response = await rest_api.client.get("/v1/articles", params={"q": q})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_query"
    assert reason in error["message"]
    with pytest.raises(SearchSyntaxError):
        parse_query(q)


def test_punctuation_is_not_an_operator() -> None:
    # A lone `-` or stray symbols are no terms; `land-bridge` is the phrase "land bridge".
    assert parse_query('harvests "Punjab" -') == parse_query("harvests Punjab")
    assert parse_query("land-bridge") == parse_query('"land bridge"')
    assert parse_query("!!! ???") is None
    # FTS5 syntax in user input is text, not syntax: `title:x` is the phrase "title x".
    assert parse_query("title:x NEAR(a b) c*") == parse_query('"title x" "near a" b c')


async def test_index_syntax_in_a_query_is_only_text(corpus: Api) -> None:
    for q in ("title:dengue", "NEAR(dengue Peru)", "dengue*", "dengue AND NOT Peru", "{text}: dengue ^Peru"):
        response = await corpus.client.get("/v1/articles", params={"q": q})
        assert response.status_code == 200, (q, response.text)
        assert set(await _found(corpus, q)) <= {1, 2}, q


async def test_the_stream_refuses_an_unreadable_query_before_it_starts(api: Api) -> None:
    response = await api.client.get("/v1/stream", params={"q": 'dengue OR "open'})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "invalid_query"
