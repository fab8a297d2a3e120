"""Topic scores in [0, 1], 0.5 meaning "about it": an article lists the topics it has evidence for
and scores at the floor or more, with the phrases that support them."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from newswire.enricher.gazetteer import read_data
from newswire.enricher.pipeline import Enricher, raw_from_text, shared_enricher
from newswire.enricher.topic_scorer import FEATURES
from newswire.enricher.topic_training import fit, fit_platt
from newswire.enricher.topics_model import SCORE_FLOOR, plural_forms
from newswire.schemas import EnrichedArticle, load_taxonomy


def score_of(article: EnrichedArticle, topic: str) -> float:
    """A topic the article does not list scores below the floor: 0 here."""
    return next((t.score for t in article.topics if t.id == topic), 0.0)


# Short dev articles written for these tests (not the evaluation set), one clear topic each.
ARTICLES = {
    "sport": (
        "Manchester City beat Arsenal 2-1 in the Premier League on Sunday. Erling Haaland scored twice in the "
        "first half, while Bukayo Saka replied for the visitors late in the match. The win lifts City to the top "
        "of the table with six games of the season left. Coach Pep Guardiola praised his players and the fans, "
        "saying the team had shown character after their defeat in the Champions League quarter-final."
    ),
    "health": (
        "Health officials in Kenya confirmed 40 new cholera cases on Tuesday as the outbreak spread to two more "
        "counties. The health ministry said hospitals in Garissa were treating patients for dehydration and that "
        "a vaccination campaign would start next week. Doctors urged residents to boil drinking water. The World "
        "Health Organization said it had sent medical supplies and oral vaccines to the affected areas."
    ),
    "disaster": (
        "A magnitude 6.8 earthquake struck central Nepal early on Friday, collapsing houses and triggering "
        "landslides that blocked roads. Rescue teams pulled survivors from the rubble in Gorkha district, and the "
        "death toll rose to 57, officials said. Thousands of people spent the night in tents as aftershocks "
        "continued. The army flew helicopters with relief supplies to remote villages cut off by the quake."
    ),
    "energy": (
        "Oil prices rose 3 percent on Monday after OPEC and its allies agreed to extend production cuts. Brent "
        "crude traded at 84 dollars a barrel. Analysts said the decision would tighten fuel supplies ahead of "
        "winter, when demand for natural gas and electricity peaks. Refinery margins in Asia also improved, and "
        "several power plants switched from gas to coal to cut costs."
    ),
    "education": (
        "Thousands of students sat their final school exams across Uganda this week. The education ministry said "
        "more pupils had registered than ever before, and that new classrooms had been built in rural districts. "
        "Teachers' unions welcomed the curriculum reform but warned that many schools still lacked textbooks. "
        "Universities will publish admission lists once the examination results are released in February."
    ),
}


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return shared_enricher()


@pytest.fixture(scope="module")
def scored(enricher: Enricher) -> dict[str, dict[str, float]]:
    enriched = enricher.enrich_many([raw_from_text(text) for text in ARTICLES.values()])
    taxonomy = load_taxonomy().ids
    return {
        key: {topic: score_of(article, topic) for topic in taxonomy}
        for key, article in zip(ARTICLES, enriched, strict=True)
    }


def test_an_article_lists_its_evidenced_topics_in_order(enricher: Enricher) -> None:
    article = enricher.enrich(raw_from_text(ARTICLES["sport"]))
    ids = [t.id for t in article.topics]
    assert ids and ids[0] == "sport"
    assert len(set(ids)) == len(ids) and set(ids) <= set(load_taxonomy().ids)
    scores = [t.score for t in article.topics]
    assert scores == sorted(scores, reverse=True)
    assert all(SCORE_FLOOR <= s <= 1.0 for s in scores)
    assert all(t.evidence for t in article.topics)
    labels = {t.id: t.label for t in load_taxonomy().topics}
    assert all(t.label == labels[t.id] for t in article.topics)


def test_topics_without_evidence_are_left_off(enricher: Enricher) -> None:
    article = enricher.enrich(raw_from_text(ARTICLES["education"]))
    assert "sport" not in {t.id for t in article.topics}
    assert enricher.enrich(raw_from_text("The the the.")).topics == []


@pytest.mark.parametrize("topic", list(ARTICLES))
def test_an_article_is_about_its_topic_and_not_the_others(scored: dict[str, dict[str, float]], topic: str) -> None:
    scores = scored[topic]
    assert scores[topic] >= 0.5, scores
    unrelated = {"sport", "health", "disaster", "energy", "education"} - {topic}
    for other in unrelated:
        assert scores[other] < 0.5, (other, scores[other])


def test_evidence_names_the_supporting_phrases(enricher: Enricher) -> None:
    article = enricher.enrich(raw_from_text(ARTICLES["disaster"]))
    disaster = next(t for t in article.topics if t.id == "disaster")
    assert "earthquake" in disaster.evidence and "death toll" in disaster.evidence
    for phrase in disaster.evidence:
        assert phrase.lower() in article.text.lower()
    assert "sport" not in {t.id for t in article.topics}


def test_more_evidence_never_lowers_a_score(enricher: Enricher) -> None:
    base = "The ministry published its annual report on Monday."
    light = base + " It mentioned tariffs once."
    heavy = light + " Exports rose, the trade deficit narrowed and new tariffs on steel imports were agreed."
    scores = [score_of(enricher.enrich(raw_from_text(text)), "trade") for text in (base, light, heavy)]
    assert scores[0] <= scores[1] < scores[2]
    assert scores[2] >= 0.5 > scores[0]


def test_linked_headlines_are_no_evidence(enricher: Enricher) -> None:
    body = "Officials met on Monday to discuss the budget for next year."
    with_link = body + "\nRead More: Football World Cup Final Ends in Penalty Shootout as Striker Scores Goal"
    plain = enricher.enrich(raw_from_text(body))
    linked = enricher.enrich(raw_from_text(with_link))
    assert score_of(linked, "sport") == score_of(plain, "sport") == 0.0
    assert [(t.id, t.score) for t in linked.topics] == [(t.id, t.score) for t in plain.topics]


def test_length_counts_words_outside_excluded_ranges(enricher: Enricher) -> None:
    """Punctuation is no word, and an excluded range (a linked headline) takes its words and
    phrases out of the evidence, so it neither adds evidence nor dilutes it."""
    text = "Tariffs rose sharply. Officials met, and talks followed."
    doc = enricher.nlp.make_doc(text)
    full = enricher.topics.evidence(doc)
    cut = enricher.topics.evidence(doc, excluded=[(0, text.index("Officials"))])
    assert full["trade"].words == 8 and "Tariffs" in full["trade"].phrases
    assert cut["trade"].words == 5 and not cut["trade"].phrases


def test_names_of_people_are_no_evidence(enricher: Enricher) -> None:
    text = "Condoleezza Rice and Bill Gates met reporters in Seattle on Tuesday after a private dinner."
    evidence = {t.id: t.evidence for t in enricher.enrich(raw_from_text(text)).topics}
    assert "Rice" not in evidence.get("agriculture-food", [])
    assert "Bill" not in evidence.get("politics", [])


# One-sentence briefs with a headline, written for this test: wire services and feeds publish
# many items this short, and each still names its topic.
BRIEFS = {
    "politics": (
        "Opposition wins snap election",
        (
            "The opposition party won a clear majority in Sunday's snap parliamentary election, ending the prime "
            "minister's eight years in power, official results showed."
        ),
    ),
    "diplomacy": (
        "Foreign ministers meet to ease border tensions",
        (
            "The foreign ministers of the two countries met in Geneva and agreed to restore ambassadors and "
            "reopen consulates closed last year."
        ),
    ),
    "trade": (
        "EU slaps duties on imported steel",
        (
            "The European Union imposed anti-dumping duties of up to 25 percent on steel imports from three "
            "countries, the commission said."
        ),
    ),
    "connectivity": (
        "New rail link cuts journey time",
        (
            "A high-speed railway connecting the two largest cities opened on Friday, cutting travel time from "
            "six hours to two."
        ),
    ),
    "science-technology": (
        "Chipmaker unveils faster processor for laptops",
        (
            "The company said its new processor doubles battery life and will ship in notebooks from several "
            "manufacturers next quarter."
        ),
    ),
    "security": (
        "Rebels seize town in eastern Congo",
        (
            "Rebel fighters captured a strategic town in eastern Congo on Tuesday, forcing thousands of civilians "
            "to flee, the United Nations said."
        ),
    ),
    "sport": (
        "Sprinter breaks world record",
        "The 22-year-old sprinter broke the 200 metres world record at the championships on Thursday.",
    ),
    "agriculture-food": (
        "Drought threatens wheat harvest",
        (
            "A prolonged drought has damaged wheat crops across the plains, and farmers expect yields to fall by "
            "a third."
        ),
    ),
}


@pytest.mark.parametrize("topic", sorted(BRIEFS))
def test_a_one_sentence_brief_is_about_its_topic(enricher: Enricher, topic: str) -> None:
    title, text = BRIEFS[topic]
    article = enricher.enrich(raw_from_text(text, title=title))
    assert article.topics[0].id == topic, [(t.id, t.score) for t in article.topics[:3]]
    assert article.topics[0].score >= 0.5


def test_an_organisation_named_for_defence_is_security_evidence(enricher: Enricher) -> None:
    """No cue lists Ukraine's defence ministry; its name says what it does."""
    text = (
        "Russia attacked Odesa with 52 drones overnight, the regional governor said. Most of the drones were "
        "shot down, the Air Force Command said. The Ministry of Defense of Ukraine is analysing the strike, "
        "which damaged buildings in the city centre and an energy facility in the Odesa region. "
    ) * 2
    without_names = text.replace("the Air Force Command", "officials").replace(
        "The Ministry of Defense of Ukraine", "Officials"
    )
    scores = {
        version: score_of(enricher.enrich(raw_from_text(body)), "security")
        for version, body in (("named", text), ("unnamed", without_names))
    }
    assert scores["named"] >= 0.5 and scores["named"] > scores["unnamed"], scores


def test_a_central_bank_named_in_full_is_economy_evidence(enricher: Enricher) -> None:
    """ "central bank" inside the name "Central Bank of Nigeria" is no phrase evidence (words inside
    names never are); the organisation itself is."""
    text = (
        "The Central Bank of Nigeria (CBN) said on Saturday that the refinery could sell its products in naira. "
        "The CBN governor said the plan would save foreign exchange spent on imports. "
    ) * 2
    unnamed = text.replace("The Central Bank of Nigeria (CBN)", "The regulator").replace("The CBN", "Its")
    named = enricher.enrich(raw_from_text(text))
    economy = next(t for t in named.topics if t.id == "economy")
    assert economy.score >= 0.5 and economy.score > score_of(enricher.enrich(raw_from_text(unnamed)), "economy")
    assert "naira" in economy.evidence


def test_an_anti_subsidy_probe_is_trade(enricher: Enricher) -> None:
    text = (
        "EU Commission chief Ursula von der Leyen announced an anti-subsidy probe into Chinese electric "
        "vehicles, saying Europe was open to competition but not to a race to the bottom."
    )
    article = enricher.enrich(raw_from_text(text))
    assert "org:european-commission" in {e.id for e in article.entities}
    assert article.topics[0].id == "trade" and "anti-subsidy" in article.topics[0].evidence


def test_title_counts_as_evidence(enricher: Enricher) -> None:
    text = "Officials met on Monday. They discussed several matters and issued a statement afterwards."
    plain = score_of(enricher.enrich(raw_from_text(text)), "health")
    titled = score_of(enricher.enrich(raw_from_text(text, title="Cholera vaccine campaign begins")), "health")
    assert titled > plain


def test_plural_forms() -> None:
    assert plural_forms("tariff") == ["tariff", "tariffs"]
    assert plural_forms("trade policy") == ["trade policy", "trade policies"]
    assert plural_forms("tax") == ["tax", "taxes"]
    assert plural_forms("sanctions") == ["sanctions"]
    assert plural_forms("WTO") == ["WTO"]


def test_lexicon_covers_the_taxonomy_with_provenance() -> None:
    lexicon = read_data("topic_lexicon.yaml")
    assert set(lexicon["topics"]) == set(load_taxonomy().ids)
    for topic, spec in lexicon["topics"].items():
        assert sum(len(v) for v in spec["terms"].values()) >= 40, topic
        assert set(spec["terms"]) <= {1, 2, 3}
    from importlib import resources

    head = resources.files("newswire.enricher").joinpath("data", "topic_lexicon.yaml").read_text("utf-8")[:600]
    assert "Source:" in head and "Licence" in head


CASES = yaml.safe_load((Path(__file__).parent / "data" / "topic_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_topic_regression_cases(enricher: Enricher, case: dict) -> None:
    article = enricher.enrich(raw_from_text(case["text"], title=case["title"]))
    ranked = [(t.id, t.score) for t in article.topics]
    assert ranked and ranked[0][0] == case["top"] and ranked[0][1] >= 0.5, ranked
    for topic in case.get("above", []):
        assert score_of(article, topic) >= 0.5, (topic, ranked)
    for topic in case.get("below", []):
        assert score_of(article, topic) < 0.5, (topic, ranked)
    evidence = {t.id: t.evidence for t in article.topics}
    for topic, phrases in (case.get("evidence") or {}).items():
        listed = {p.lower() for p in evidence.get(topic, [])}
        assert set(phrases) <= listed, (topic, listed)
    for topic, phrases in (case.get("not_evidence") or {}).items():
        listed = {p.lower() for p in evidence.get(topic, [])}
        assert not listed & set(phrases), (topic, listed)


def test_shipped_weights_cover_the_taxonomy() -> None:
    weights = read_data("topic_weights.yaml")
    assert weights["features"] == list(FEATURES)
    assert len(weights["weights"]) == len(FEATURES)
    assert set(weights["bias"]) == set(load_taxonomy().ids)
    assert weights["trained_on"]["articles"] > 100


def test_training_recovers_a_known_rule() -> None:
    """Labels drawn from sigmoid(2 x0 - 1): the fit finds the sign and size of the weight, and the
    Platt step leaves a calibrated model alone."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4000, len(FEATURES)))
    t = rng.integers(0, 2, size=4000)
    y = (rng.random(4000) < 1 / (1 + np.exp(-(2 * x[:, 1] - 1)))).astype(float)
    w, b, v = fit(x, t, y, 2, weight=np.ones(4000), steps=1500)
    assert 1.6 < w[1] + 0.0 < 2.4 and all(abs(w[k]) < 0.3 for k in range(len(FEATURES)) if k != 1)
    a, c = fit_platt(x @ w + b[t] + v[t] * x[:, 0], y)
    assert abs(a - 1) < 0.15 and abs(c) < 0.15
