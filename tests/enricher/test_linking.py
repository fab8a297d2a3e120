"""Entity linking: canonical ids, merged names, cleaned spans and exact mention offsets."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.enricher.linking import salience_scores
from newswire.enricher.pipeline import Enricher, raw_from_text, shared_enricher
from newswire.schemas import EnrichedArticle, Entity

EUROPE = (
    "LONDON (Reuters) - British Prime Minister Keir Starmer met German Chancellor Friedrich Merz in Berlin on "
    "Friday to discuss NATO spending and trade with the European Union. Starmer said the two leaders agreed on a "
    "new defence pact. Merz told reporters that Germany would raise its military budget.\n"
    'Jane Okafor, a senior analyst at the London School of Economics, said the deal was significant. "This is a '
    'turning point," Okafor said. Dr. Okafor added that Paris and Warsaw would follow.'
)
FLOODS = (
    "Heavy monsoon rains triggered flash floods in Hyderabad and Karachi, Pakistan's largest city, killing at "
    "least 23 people, the National Disaster Management Authority (NDMA) said on Tuesday. Rescue teams evacuated "
    "thousands of residents. The NDMA warned of more rain in Sindh."
)
READING = (
    "Chad Smith, a farmer in Reading, Pennsylvania, said wheat prices had fallen. Nice weather helped the "
    "harvest, he told the Pennsylvania Farm Bureau."
)
SUMMIT = (
    "ASTANA, Kazakhstan - Uzbek President Shavkat Mirziyoyev arrived in Astana on Monday for talks with "
    "President Tokayev. Mirziyoyev and Tokayev signed a Memorandum of Understanding on water use in Central Asia "
    "and discussed the Shanghai Cooperation Organisation (SCO) summit. The SCO meets in July.\n"
    "Read More: Tokayev Arrives in Tashkent on Three-Day Visit"
)


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return shared_enricher()


@pytest.fixture(scope="module")
def articles(enricher: Enricher) -> dict[str, EnrichedArticle]:
    texts = {"europe": EUROPE, "floods": FLOODS, "reading": READING, "summit": SUMMIT}
    enriched = enricher.enrich_many([raw_from_text(t) for t in texts.values()])
    return dict(zip(texts, enriched, strict=True))


def by_name(article: EnrichedArticle, name: str) -> Entity:
    found = [e for e in article.entities if e.name == name]
    assert len(found) == 1, [(e.type, e.name) for e in article.entities]
    return found[0]


def names(article: EnrichedArticle) -> set[str]:
    return {e.name for e in article.entities}


def test_every_mention_points_into_the_text(articles: dict[str, EnrichedArticle]) -> None:
    total = 0
    for article in articles.values():
        for entity in article.entities:
            # A country named only by a demonym ("British officials") has no span of its name:
            # the demonym is an alias, and no mention.
            assert entity.mentions or (entity.type in {"COUNTRY", "REGION"} and entity.aliases), entity
            for alias in entity.aliases:
                assert alias in article.text
            for mention in entity.mentions:
                assert article.text[mention.start : mention.end] == mention.text
                total += 1
    assert total > 35  # demonyms ("German advice") are aliases, not mentions


def test_ids_follow_the_contract(articles: dict[str, EnrichedArticle]) -> None:
    for article in articles.values():
        for entity in article.entities:
            assert re.fullmatch(r"(person|org|country|city|region|event):[A-Za-z0-9._-]+", entity.id), entity.id
            prefix = entity.id.split(":")[0]
            assert prefix == entity.type.lower(), entity.id
            if entity.type == "COUNTRY":
                assert re.fullmatch(r"country:[A-Z]{2}", entity.id)
        ids = [e.id for e in article.entities]
        assert len(ids) == len(set(ids)), "one real-world entity appears once per article"


def test_surname_and_titled_forms_join_the_full_name(articles: dict[str, EnrichedArticle]) -> None:
    europe = articles["europe"]
    starmer = by_name(europe, "Keir Starmer")
    assert starmer.id == "person:keir-starmer"
    assert {"Starmer", "Prime Minister Keir Starmer"} <= set(starmer.aliases)
    assert len(starmer.mentions) == 2
    # A person the gazetteer does not know is merged the same way within the article.
    okafor = by_name(europe, "Jane Okafor")
    assert okafor.id == "person:jane-okafor"
    assert "Okafor" in okafor.aliases and "Dr. Okafor" in okafor.aliases
    assert len(okafor.mentions) == 3
    assert "Okafor" not in names(europe)


def test_known_people_are_people(articles: dict[str, EnrichedArticle]) -> None:
    summit = articles["summit"]
    tokayev = by_name(summit, "Kassym-Jomart Tokayev")
    assert tokayev.type == "PERSON" and tokayev.country == "KZ"
    assert "President Tokayev" in tokayev.aliases
    assert by_name(summit, "Shavkat Mirziyoyev").type == "PERSON"


def test_demonyms_count_as_their_country(articles: dict[str, EnrichedArticle]) -> None:
    europe = articles["europe"]
    assert "British" in by_name(europe, "United Kingdom").aliases
    germany = by_name(europe, "Germany")
    assert germany.id == "country:DE" and "German" in germany.aliases
    assert "UZ" in articles["summit"].countries


def test_noise_is_never_an_entity(articles: dict[str, EnrichedArticle]) -> None:
    forbidden = {
        "Friday",
        "Tuesday",
        "Monday",
        "July",
        "Memorandum of Understanding",
        "Read More",
        "Three-Day",
        "Tokayev Arrives",
        "Prime Minister",
        "President",
        "Dr.",
    }
    for article in articles.values():
        assert not names(article) & forbidden
        assert "Read More:" not in article.text


def test_link_headlines_keep_names_but_lose_their_label(articles: dict[str, EnrichedArticle]) -> None:
    summit = articles["summit"]
    assert "Tokayev Arrives in Tashkent" in summit.text
    tashkent = by_name(summit, "Tashkent")
    assert tashkent.type == "CITY" and tashkent.country == "UZ"


def test_places_resolve_by_context(articles: dict[str, EnrichedArticle]) -> None:
    floods = articles["floods"]
    assert by_name(floods, "Hyderabad").country == "PK"  # not India's larger Hyderabad
    reading = articles["reading"]
    assert by_name(reading, "Reading").country == "US"  # Pennsylvania puts it in the US
    assert by_name(reading, "Pennsylvania").type == "REGION"
    assert reading.countries == ["US"]
    assert "Nice" not in names(reading)  # an adjective here, not the French city
    assert by_name(reading, "Chad Smith").type == "PERSON"  # a person, not the country
    assert "country:TD" not in {e.id for e in reading.entities}


def test_datelines_in_capitals_are_cities(articles: dict[str, EnrichedArticle]) -> None:
    london = by_name(articles["europe"], "London")
    assert london.type == "CITY" and london.id == "city:2643743"


def test_organisations_and_acronyms(articles: dict[str, EnrichedArticle]) -> None:
    floods = articles["floods"]
    ndma = by_name(floods, "National Disaster Management Authority")
    assert ndma.type == "ORG" and "NDMA" in ndma.aliases and len(ndma.mentions) == 3
    summit = articles["summit"]
    sco = by_name(summit, "Shanghai Cooperation Organisation")
    assert sco.id == "org:shanghai-cooperation-organisation" and "SCO" in sco.aliases
    assert by_name(articles["europe"], "NATO").type == "ORG"


def test_regions(articles: dict[str, EnrichedArticle]) -> None:
    central_asia = by_name(articles["summit"], "Central Asia")
    assert central_asia.id == "region:central-asia" and central_asia.type == "REGION"


def test_salience_orders_entities(articles: dict[str, EnrichedArticle]) -> None:
    for article in articles.values():
        saliences = [e.salience for e in article.entities]
        assert saliences == sorted(saliences, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in saliences)
    summit = articles["summit"]
    assert by_name(summit, "Kassym-Jomart Tokayev").salience > by_name(summit, "Central Asia").salience


def test_salience_formula() -> None:
    early_often, late_once = salience_scores([0.0, 0.9], [4, 1], [False, False])
    assert early_often > late_once
    assert salience_scores([0.0], [1], [True]) == [1.0]
    titled, untitled = salience_scores([0.5, 0.5], [1, 1], [True, False])
    assert titled > untitled


def test_title_raises_salience(enricher: Enricher) -> None:
    text = "Officials in Lima and Quito met on Tuesday. Peru and Ecuador agreed to reopen the border."
    plain = enricher.enrich(raw_from_text(text))
    titled = enricher.enrich(raw_from_text(text, title="Ecuador reopens border"))

    def salience(article: EnrichedArticle, code: str) -> float:
        return next(e.salience for e in article.entities if e.id == f"country:{code}")

    assert salience(titled, "EC") > salience(plain, "EC")
    assert salience(titled, "PE") == salience(plain, "PE")


MISC = {
    "dateline": "ISLAMABAD, Nov 26 (newswire) - Officials met on Tuesday to review the budget.",
    "summit": (
        "Leaders gathered for COP29 in Baku after Typhoon Haiyan anniversaries were marked in Manila. "
        "Several European and African ministers attended the talks."
    ),
    "orgs": (
        "The Bangladesh Garment Manufacturers and Exporters Association said orders fell. The United Nations "
        "Office for the Coordination of Humanitarian Affairs said aid was delayed."
    ),
    "people": (
        'Nayla de Freige, the festival\'s president, opened the season. "We are back," said Nayla de Freige. '
        "Kristina Kallas, Estonia's education minister, spoke later; Kallas said schools would reopen."
    ),
}


@pytest.fixture(scope="module")
def misc(enricher: Enricher) -> dict[str, EnrichedArticle]:
    enriched = enricher.enrich_many([raw_from_text(t) for t in MISC.values()])
    return dict(zip(MISC, enriched, strict=True))


def test_capitalised_dateline_is_the_city(misc: dict[str, EnrichedArticle]) -> None:
    islamabad = by_name(misc["dateline"], "Islamabad")
    assert islamabad.type == "CITY" and islamabad.mentions[0].text == "ISLAMABAD"


def test_climate_conferences_storms_and_region_demonyms(misc: dict[str, EnrichedArticle]) -> None:
    summit = misc["summit"]
    assert by_name(summit, "COP29").type == "EVENT"
    assert by_name(summit, "Typhoon Haiyan").type == "EVENT"
    assert "European" in by_name(summit, "Europe").aliases
    assert by_name(summit, "Africa").type == "REGION"


def test_split_organisation_names_are_rejoined(misc: dict[str, EnrichedArticle]) -> None:
    orgs = {e.name for e in misc["orgs"].entities if e.type == "ORG"}
    assert "Bangladesh Garment Manufacturers and Exporters Association" in orgs
    assert "United Nations Office for the Coordination of Humanitarian Affairs" in orgs


def test_same_surname_different_person(misc: dict[str, EnrichedArticle]) -> None:
    people = misc["people"]
    kallas = by_name(people, "Kristina Kallas")
    assert kallas.id == "person:kristina-kallas" and "Kallas" in kallas.aliases
    assert "Kaja Kallas" not in names(people)
    assert by_name(people, "Nayla de Freige").type == "PERSON"


WORDS = (
    "President Tokayev Kazakhstan Read More: ( ) ’s 's the The and Forum Summit COP29 Typhoon ISLAMABAD , - – "
    "UN OIC-COMSTECH Mr. Dr. said in Kotri Reading Nice Chad Smith Washington U.S. AI Ministry of Health "
    "(MoH) Bank Congress World Cup 2-1 😀 é 北京 Москва"
).split(" ")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([*WORDS, "\n"]), min_size=1, max_size=60))
def test_any_text_links_with_exact_offsets(enricher: Enricher, words: list[str]) -> None:
    article = enricher.enrich(raw_from_text(" ".join(words)))
    for entity in article.entities:
        assert entity.mentions
        for mention in entity.mentions:
            assert article.text[mention.start : mention.end] == mention.text


def test_administrative_areas_and_city_aliases(enricher: Enricher) -> None:
    text = (
        "Farmers in Kazakhstan's Kostanay Region harvested a record crop. In Pakistan, floods hit the Dadu "
        "district, while aid reached Gaza City and Rafah."
    )
    article = enricher.enrich(raw_from_text(text))
    kostanay = by_name(article, "Kostanay Region")
    assert kostanay.type == "REGION" and kostanay.country == "KZ"
    dadu = by_name(article, "Dadu")
    assert dadu.type == "REGION" and dadu.country == "PK"
    gaza_city = by_name(article, "Gaza City")
    assert gaza_city.type == "CITY" and gaza_city.id.startswith("city:") and gaza_city.id[5:].isdigit()


def test_surnames_are_not_places(enricher: Enricher) -> None:
    """GeoNames lists surnames among alternate place names; a surname must not become a town."""
    for text, name in [
        ("Haaland scored twice as the champions won 3-0 on Sunday.", "Haaland"),
        ("Santos said the club would appeal the ban.", "Santos"),
    ]:
        article = enricher.enrich(raw_from_text(text))
        assert not [e for e in article.entities if e.type == "CITY"], article.entities
        assert name in names(article) or not article.entities
    moscow = enricher.enrich(raw_from_text("Moscow said the talks would continue."))
    assert by_name(moscow, "Moscow").type == "CITY"


def test_elided_region_names(enricher: Enricher) -> None:
    article = enricher.enrich(raw_from_text("Pakistan wants to be a land bridge linking Central and South Asia."))
    central = by_name(article, "Central Asia")
    assert [m.text for m in central.mentions] == ["Central"]
    assert by_name(article, "South Asia").type == "REGION"


def test_head_word_of_an_organisation_and_dated_dateline(enricher: Enricher) -> None:
    text = (
        "BRUSSELS 1996-08-22\nThe European Commission said on Thursday it disagreed with German advice. "
        '"We do not support it," the Commission\'s chief spokesman Nikolaus van der Pas told a briefing.'
    )
    article = enricher.enrich(raw_from_text(text))
    commission = by_name(article, "European Commission")
    assert [m.text for m in commission.mentions] == ["European Commission", "Commission"]
    assert by_name(article, "Brussels").type == "CITY"
    assert by_name(article, "Nikolaus van der Pas").type == "PERSON"


def test_places_under_another_spelling_in_a_named_country(enricher: Enricher) -> None:
    """GeoNames spells the border town "Saryaghash"; news writes "Saryagash". In an article about
    Kazakhstan that spelling is the town; a club "at Pakhtakor in Tashkent" stays a club."""
    town = enricher.enrich(
        raw_from_text(
            "Kazakhstan and Uzbekistan will build a rail line that bypasses Saryagash, easing queues at the "
            "border crossing."
        )
    )
    saryagash = by_name(town, "Saryaghash")
    assert saryagash.type == "CITY" and saryagash.country == "KZ"
    assert [m.text for m in saryagash.mentions] == ["Saryagash"]
    club = enricher.enrich(
        raw_from_text(
            "Jasur Toshmatov, a coach at Pakhtakor in Tashkent, said Uzbekistan had never produced so many players."
        )
    )
    assert by_name(club, "Pakhtakor").type == "ORG"


def test_acronym_of_a_name_spelled_out_without_brackets(enricher: Enricher) -> None:
    for text, name, acronym in [
        (
            "Canada ratified the Trans-Pacific Partnership on Monday. Ministers said TPP members would meet in Ottawa.",
            "Trans-Pacific Partnership",
            "TPP",
        ),
        (
            "Farmers from the National Farmers Union protested in London. The NFU said prices were too low.",
            "National Farmers Union",
            "NFU",
        ),
    ]:
        article = enricher.enrich(raw_from_text(text))
        organisation = by_name(article, name)
        assert [m.text for m in organisation.mentions] == [name, acronym]
        assert acronym not in names(article)


def test_hyphenated_names_family_name_first_and_post_nominals(enricher: Enricher) -> None:
    text = (
        "Officials in Ziarat, among them Sohail-ur-Rehman, said 160 bodies had been recovered. "
        "Jamaat-e-Islami volunteers helped. Ma Yaoqi, a volunteer, said the road was blocked; Ma arrived on "
        "Monday. Chief Emeka Ngige (SAN) praised the rescuers."
    )
    article = enricher.enrich(raw_from_text(text))
    assert by_name(article, "Sohail-ur-Rehman").type == "PERSON"
    assert by_name(article, "Jamaat-e-Islami").type == "ORG"
    ma = by_name(article, "Ma Yaoqi")
    assert [m.text for m in ma.mentions] == ["Ma Yaoqi", "Ma"]
    assert by_name(article, "Emeka Ngige").type == "PERSON"


def test_organisation_ids_ignore_country_prefix_and_legal_form(enricher: Enricher) -> None:
    ids = set()
    for form in ["U.S. Geological Survey", "US Geological Survey", "United States Geological Survey"]:
        article = enricher.enrich(raw_from_text(f"The {form} said the quake struck at a depth of 10 km."))
        ids |= {e.id for e in article.entities if e.type == "ORG"}
    assert ids == {"org:us-geological-survey"}
    article = enricher.enrich(
        raw_from_text("JPMorgan Chase & Co said rates would stay high; Moody's and S&P Global Ratings agreed.")
    )
    assert {e.id for e in article.entities} == {"org:jpmorgan-chase", "org:moody-s", "org:s-p-global"}
    limited = enricher.enrich(
        raw_from_text("Dangote Industries Limited thanked its staff. Dangote Industries said the plant would open.")
    )
    assert {e.id for e in limited.entities if e.type == "ORG"} == {"org:dangote-industries"}


def test_roles_diseases_towns_and_acronyms_ner_calls_places(enricher: Enricher) -> None:
    text = (
        "Mumbai won the Indian Super League title after goalkeeper Phurba Lachenpa saved a penalty; the ISL "
        "final drew 40,000 fans. Health officials reported Lassa fever cases near Gweru city."
    )
    article = enricher.enrich(raw_from_text(text))
    assert by_name(article, "Phurba Lachenpa").type == "PERSON"
    league = by_name(article, "Indian Super League")
    assert [m.text for m in league.mentions] == ["Indian Super League", "ISL"]
    assert not {"Lassa", "Gweru city", "ISL"} & names(article)
    gweru = by_name(article, "Gweru")
    assert gweru.type == "CITY" and gweru.country == "ZW"


def test_lines_in_capitals_and_datelines_on_later_lines(enricher: Enricher) -> None:
    """Wire copy: a headline in capitals, a byline, then the dateline on its own line."""
    text = (
        "SOCCER - JAPAN BEAT SYRIA, CHINA IN SURPRISE DEFEAT.\nStaff Reporter\nAL-AIN, United Arab Emirates "
        "1996-12-06\nJapan opened their Asian Cup campaign with a 2-1 win over Syria, while a West Indian "
        "referee sent off two players."
    )
    article = enricher.enrich(raw_from_text(text))
    assert [m.text for m in by_name(article, "Japan").mentions] == ["JAPAN", "Japan"]
    assert "CHINA" in [m.text for m in by_name(article, "China").mentions]
    assert by_name(article, "Al Ain City").type == "CITY"
    assert "West Indian" in by_name(article, "West Indies").aliases
    assert not {"DEFEAT", "SURPRISE DEFEAT", "India"} & names(article)


def test_surnames_join_names_written_without_accents(enricher: Enricher) -> None:
    """The gazetteer spells "Pedro Sánchez"; an English wire often writes "Sanchez"."""
    text = "Spanish Prime Minister Pedro Sanchez visited the burnt hills. Sanchez promised aid to farmers."
    article = enricher.enrich(raw_from_text(text))
    sanchez = by_name(article, "Pedro Sánchez")
    assert [m.text for m in sanchez.mentions] == ["Pedro Sanchez", "Sanchez"]
    assert "Sanchez" not in names(article)


def test_clubs_named_after_their_city(enricher: Enricher) -> None:
    text = (
        "MARGAO, India - Mumbai City FC beat FC Goa 5-3 on Saturday. Mumbai City have now scored 53 goals this "
        "season, and MCFC lead the table by nine points."
    )
    article = enricher.enrich(raw_from_text(text))
    club = by_name(article, "Mumbai City FC")
    assert club.type == "ORG"
    assert {m.text for m in club.mentions} == {"Mumbai City FC", "Mumbai City", "MCFC"}
    assert not [e for e in article.entities if e.name in {"Mumbai", "Mumbai City"} and e.type != "ORG"]


def test_provinces_keep_their_country(enricher: Enricher) -> None:
    """ISO 3166-2 writes "Galicia [Galicia]"; a province keeps its country-scoped id; a province
    name several countries share is placed by the rest of the story, never by itself."""
    spain = enricher.enrich(raw_from_text("Wildfires forced evacuations in the Spanish region of Galicia on Monday."))
    galicia = by_name(spain, "Galicia")
    assert (galicia.id, galicia.country) == ("region:galicia-es", "ES")
    rwanda = enricher.enrich(
        raw_from_text(
            "Rwanda's health ministry will fly drones to clinics in the Southern Province and the Western Province."
        )
    )
    assert {e.country for e in rwanda.entities if e.name.endswith("Province")} == {"RW"}


def test_names_ner_cuts_or_mislabels(enricher: Enricher) -> None:
    text = (
        '"The gains are not yet secure," said Iva Petrova, who led the mission. Petrova said revenue rose. '
        '"The water is the highest since 2022," Lieutenant General Tariq Mehmood, the agency chairman, told '
        "reporters. Fishermen on Lake Victoria said catches fell, and rain fell across the Tigray region."
    )
    article = enricher.enrich(raw_from_text(text))
    assert [m.text for m in by_name(article, "Iva Petrova").mentions] == ["Iva Petrova", "Petrova"]
    mehmood = by_name(article, "Tariq Mehmood")
    assert mehmood.type == "PERSON" and "Lieutenant General Tariq Mehmood" in mehmood.aliases
    assert by_name(article, "Lake Victoria").type == "REGION"
    assert by_name(article, "Tigray").type == "REGION"


def test_names_listed_among_known_companies_are_companies(enricher: Enricher) -> None:
    text = "The ban covers chips made by companies like Intel, Microsemi, Nvidia and Xilinx, the department said."
    article = enricher.enrich(raw_from_text(text))
    assert {e.name: e.type for e in article.entities if e.name in {"Microsemi", "Xilinx"}} == {
        "Microsemi": "ORG",
        "Xilinx": "ORG",
    }


def test_two_first_names_generations_and_two_word_places(enricher: Enricher) -> None:
    philippines = enricher.enrich(
        raw_from_text("President Ferdinand Marcos Jr. ordered relief flights. Marcos will visit Luzon next week.")
    )
    marcos = by_name(philippines, "Ferdinand Marcos Jr.")
    assert [m.text for m in marcos.mentions] == ["Ferdinand Marcos Jr.", "Marcos"]
    brazil = enricher.enrich(
        raw_from_text(
            'Fires spread across Brazil. "Crops are lost," said Ana Beatriz Costa, a researcher. The states of '
            "Para and Mato Grosso were worst hit."
        )
    )
    assert by_name(brazil, "Ana Beatriz Costa").type == "PERSON"
    mato_grosso = by_name(brazil, "Mato Grosso")
    assert (mato_grosso.type, mato_grosso.country) == ("REGION", "BR")


def test_datelines_naming_several_cities_and_one_name_speakers(enricher: Enricher) -> None:
    text = (
        "DOHA/CAIRO/JERUSALEM (Reuters) - Negotiators reached a phased deal on Wednesday. "
        '"I am happy, yes," said Ghada, a displaced mother of five.'
    )
    article = enricher.enrich(raw_from_text(text))
    cities = {e.name for e in article.entities if e.type == "CITY"}
    assert {"Doha", "Cairo", "Jerusalem"} <= cities
    assert by_name(article, "Ghada").type == "PERSON"


def test_states_in_lawmakers_party_tags(enricher: Enricher) -> None:
    text = "Speaker Nancy Pelosi (D-Calif.) and Sen. Chuck Schumer, D-N.Y., met Sen. Rob Portman, R-Ohio."
    article = enricher.enrich(raw_from_text(text))
    states = {m.text: e.name for e in article.entities if e.type == "REGION" for m in e.mentions}
    assert states == {"Calif.": "California", "N.Y.": "New York", "Ohio": "Ohio"}
    assert {e.country for e in article.entities if e.type == "REGION"} == {"US"}


def test_one_place_one_entity(enricher: Enricher) -> None:
    """A province the gazetteer knows stays that entity before "province"; a word that is a place
    in one mention is the same place in the next."""
    sindh = enricher.enrich(raw_from_text("Floods hit Pakistan's Sindh province. Officials in lower Sindh said."))
    assert [e.id for e in sindh.entities if e.name == "Sindh"] == ["region:sindh-pk"]
    site = enricher.enrich(
        raw_from_text("The rocket lifted off from Sriharikota on Friday. Sriharikota has two launch pads.")
    )
    assert not [e for e in site.entities if e.type == "PERSON"]


def test_the_places_of_a_route(enricher: Enricher) -> None:
    """Dashes between places make a route: each end is a place, however NER tagged the whole;
    a place's own hyphens and other hyphenated names stay whole."""
    text = (
        "Freight moves on the Kolkata-Jogbani and Kolkata–Nautanwa corridors, India said. The "
        "Termez-Mazar-i-Sharif line, the Igdir-Nakhchivan pipeline and the New Delhi-Kathmandu bus will run in "
        "2027. Guinea-Bissau, OIC-COMSTECH and Coca-Cola signed in Stoke-on-Trent, and actor Daniel Day-Lewis "
        "attended."
    )
    article = enricher.enrich(raw_from_text(text))
    places = {m.text: (e.type, e.country) for e in article.entities for m in e.mentions if e.type == "CITY"}
    assert places == {
        "Kolkata": ("CITY", "IN"),
        "Jogbani": ("CITY", "IN"),
        "Nautanwa": ("CITY", "IN"),
        "Termez": ("CITY", "UZ"),  # GeoNames spells it Tirmiz
        "Mazar-i-Sharif": ("CITY", "AF"),
        "Igdir": ("CITY", "TR"),  # Iğdır
        "Nakhchivan": ("CITY", "AZ"),  # Naxçıvan
        "New Delhi": ("CITY", "IN"),
        "Kathmandu": ("CITY", "NP"),
        "Stoke-on-Trent": ("CITY", "GB"),
    }
    assert by_name(article, "Guinea-Bissau").id == "country:GW"
    assert {by_name(article, n).type for n in ("OIC-COMSTECH", "Coca-Cola")} == {"ORG"}
    assert by_name(article, "Daniel Day-Lewis").type == "PERSON"
    # A route that ends the text (or starts it) is read as well.
    for edge in ("Kolkata-Jogbani", "Freight on Kolkata-Jogbani"):
        assert [e.name for e in enricher.enrich(raw_from_text(edge)).entities] == ["Kolkata", "Jogbani"]


def test_offices_are_not_organisations(enricher: Enricher) -> None:
    """A portfolio before a title and "the Prime Ministers of India" name offices; the place in
    the office is the entity."""
    text = (
        "India's Commerce Minister Piyush Goyal met Kazakhstan's Trade and Integration Minister Arman "
        "Shakkaliyev and Planning Minister Ahsan Iqbal. The link was opened by the Prime Ministers of India and "
        "Nepal. Secretary of State Marco Rubio was there."
    )
    article = enricher.enrich(raw_from_text(text))
    assert [e.name for e in article.entities if e.type == "ORG"] == []
    people = {e.name for e in article.entities if e.type == "PERSON"}
    assert people == {"Piyush Goyal", "Arman Shakkaliyev", "Ahsan Iqbal", "Marco Rubio"}
    india = by_name(article, "India")
    assert len(india.mentions) == 2 and by_name(article, "Nepal").id == "country:NP"


def test_a_namesake_abroad_gives_no_country(enricher: Enricher) -> None:
    """ "Morang District" in a story about Nepal: Morang is also a town in Australia, which says
    nothing about the district."""
    text = "Cargo reaches the Nepal Customs Yard in Morang District, near Biratnagar in Nepal, by rail from India."
    district = by_name(enricher.enrich(raw_from_text(text)), "Morang District")
    assert district.type == "REGION" and district.country != "AU"


def test_cabinet_lists_and_first_names(enricher: Enricher) -> None:
    """A cabinet list names people and their portfolios ("(ICT)", "of Defence"), "Amb" is a
    title; "Uhuru" alone and "Sudani" after "al-Sudani" are the people named in full."""
    text = (
        "President Uhuru Kenyatta was joined by Amb Raychelle Omamo (Foreign Affairs), Joe Mucheru (ICT) and "
        "Judy Wakhungu of Environment, Water, and Natural Resources.\n"
        "In his State of The Nation (SoTN) address, Uhuru spoke out against foreign powers.\n"
        "Iraq's Prime Minister Mohammed Shia al-Sudani met them. Some leaders are wary of giving Sudani a second term."
    )
    article = enricher.enrich(raw_from_text(text))
    assert {e.name for e in article.entities if e.type == "ORG"} <= {"State of The Nation", "SoTN"}
    people = {e.name: {m.text for m in e.mentions} for e in article.entities if e.type == "PERSON"}
    assert people == {
        "Uhuru Kenyatta": {"Uhuru Kenyatta", "Uhuru"},
        "Raychelle Omamo": {"Raychelle Omamo"},
        "Joe Mucheru": {"Joe Mucheru"},
        "Judy Wakhungu": {"Judy Wakhungu"},
        "Mohammed Shia al-Sudani": {"Mohammed Shia al-Sudani", "Sudani"},
    }


def test_short_names_acronyms_and_islands(enricher: Enricher) -> None:
    """ "Rio" is the Rio de Janeiro of the dateline; letters defined in brackets stay the
    organisation wherever NER puts them; a camel-case name is a company; Java is the island."""
    text = (
        "RIO DE JANEIRO – Paraguay's Santiago Peña met Lula. In Rio, Lula said the deal was near.\n"
        "An earthquake struck Indonesia's Java island, the National Disaster Management Agency (BNPB) said. "
        "BNPB says 2,200 houses were destroyed in Pandeglang regency. A survivor told MetroTV her house fell. "
        "The plates of the Earth's crust meet there."
    )
    article = enricher.enrich(raw_from_text(text))
    rio = by_name(article, "Rio de Janeiro")
    assert {m.text for m in rio.mentions} == {"RIO DE JANEIRO", "Rio"}
    assert by_name(article, "Santiago Peña").type == "PERSON"
    agency = by_name(article, "National Disaster Management Agency")
    assert {m.text for m in agency.mentions} == {"National Disaster Management Agency", "BNPB"}
    assert by_name(article, "MetroTV").type == "ORG"
    assert (by_name(article, "Java").id, by_name(article, "Pandeglang").type) == ("region:java-id", "REGION")
    assert not [e for e in article.entities if e.name == "Earth"]


def test_patronymics_spellings_and_the_country_of_an_office(enricher: Enricher) -> None:
    """A known leader with a patronymic added, or spelled the Kazakh way, is the same person; in
    "the first President of Uzbekistan I. Karimov" the person starts after the country."""
    text = (
        "President of Kazakhstan, Qasym-Jomart Toqayev held talks with President Shavkat Mirziyoyev. \"Today my "
        "colleague Shavkat Miromonovich Mirziyoyev and I had meaningful negotiations,\" Toqayev said. He noted the "
        "contribution of the first President of Uzbekistan I. Karimov."
    )
    article = enricher.enrich(raw_from_text(text))
    people = {e.id: {m.text for m in e.mentions} for e in article.entities if e.type == "PERSON"}
    assert people == {
        "person:kassym-jomart-tokayev": {"Qasym-Jomart Toqayev", "Toqayev"},
        "person:shavkat-mirziyoyev": {"Shavkat Mirziyoyev", "Shavkat Miromonovich Mirziyoyev"},
        "person:i-karimov": {"I. Karimov"},
    }
    assert "Uzbekistan" in {m.text for m in by_name(article, "Uzbekistan").mentions}


def test_border_towns_and_provinces_written_with_their_noun(enricher: Enricher) -> None:
    """A name before "border" or "crossing" is the town there; "Nangarhar province" is the
    province ISO 3166-2 spells "Nangarhār"."""
    text = (
        "The Torkham border crossing between Pakistan and Afghanistan reopened on Saturday, a customs official "
        "said in Afghanistan's eastern Nangarhar province. The Chaman border crossing in Balochistan stayed shut."
    )
    article = enricher.enrich(raw_from_text(text))
    assert (by_name(article, "Torkham").type, by_name(article, "Chaman").country) == ("CITY", "PK")
    nangarhar = by_name(article, "Nangarhar")
    assert (nangarhar.id, [m.text for m in nangarhar.mentions]) == ("region:nangarhar-af", ["Nangarhar province"])


def test_names_as_written_and_former_leaders(enricher: Enricher) -> None:
    """A place keeps the spelling the article uses when only accents and apostrophes differ from
    GeoNames'; "Hasina" is the Sheikh Hasina of the same story."""
    text = (
        "Muhammad Yunus spoke at a conference in Cox's Bazar on Monday. Hasina was ousted in August 2024, and "
        "then-premier Sheikh Hasina fled to India."
    )
    article = enricher.enrich(raw_from_text(text))
    assert by_name(article, "Cox's Bazar").country == "BD"
    assert {m.text for m in by_name(article, "Sheikh Hasina").mentions} == {"Hasina", "Sheikh Hasina"}


def test_titled_names_ner_passed_over_and_titled_organisations(enricher: Enricher) -> None:
    """A name after a title is a person even when NER missed it; a title opening an
    organisation's name is part of it ("General Motors"), and "Chief Guest" is nobody."""
    text = (
        "Army chief General Waker-uz-Zaman said the military was ready. We thank Governor Sanwo-Olu for his help. "
        "General Motors and the Justice Department agreed, and Major League Baseball resumed. He will be the "
        "Chief Guest at the celebrations."
    )
    article = enricher.enrich(raw_from_text(text))
    assert {e.name for e in article.entities if e.type == "PERSON"} == {"Waker-uz-Zaman", "Sanwo-Olu"}
    assert {e.name for e in article.entities if e.type == "ORG"} >= {
        "General Motors",
        "Justice Department",
        "Major League Baseball",
    }


def test_what_an_agreement_is_about_is_no_organisation(enricher: Enricher) -> None:
    text = (
        "Kenya and Sierra Leone signed a Memorandum of Understanding on Political and Diplomatic Consultations "
        "and an Agreement on Trade and Investment. India and Nepal exchanged a Letter of Exchange."
    )
    article = enricher.enrich(raw_from_text(text))
    assert [e.name for e in article.entities if e.type == "ORG"] == []


def test_arabic_articles_hyphenated_and_places_before_organisation_nouns(enricher: Enricher) -> None:
    """GeoNames writes "El Fasher", news "El-Fasher"; "Saudi Hospital" is a hospital."""
    text = (
        "The RSF took El-Fasher after an 18-month siege and rampaged through the city's Saudi Hospital. "
        "Lt. General Mohamed Hamdan 'Hemedti' Dagalo leads the RSF."
    )
    article = enricher.enrich(raw_from_text(text))
    assert (by_name(article, "El Fasher").type, by_name(article, "El Fasher").country) == ("CITY", "SD")
    assert by_name(article, "Saudi Hospital").type == "ORG"
    assert by_name(article, "Mohamed Hamdan Dagalo").id == "person:mohamed-hamdan-dagalo"


def test_chinese_provinces_and_programmes(enricher: Enricher) -> None:
    """ISO 3166-2 writes "Jiangsu Sheng"; news writes "Jiangsu Province" or "Yunnan". A programme
    such as the Belt and Road Initiative is none of the contract's entity types (nor a person)."""
    text = (
        "Lianyungang city in east China's Jiangsu Province signed the deal, a step in the Belt and Road "
        "Initiative (BRI). Officials in Yunnan welcomed it, and BRI trains now run weekly."
    )
    article = enricher.enrich(raw_from_text(text))
    jiangsu = by_name(article, "Jiangsu Province")
    assert (jiangsu.id, jiangsu.country) == ("region:jiangsu-cn", "CN")
    assert by_name(article, "Yunnan").id == "region:yunnan-cn"
    assert not [e for e in article.entities if "BRI" in {m.text for m in e.mentions}]
