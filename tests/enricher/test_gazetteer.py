"""The gazetteers: what the shipped data knows and how it is matched."""

import pytest

from newswire.enricher.gazetteer import load_gazetteer, load_name_rules, read_data, region_id, subdivision_names
from newswire.enricher.pipeline import shared_enricher


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def ids(gaz, surface: str) -> list[str]:
    return [e.id for e in gaz.lookup(surface)]


@pytest.mark.parametrize(
    ("surface", "country_id"),
    [
        ("Pakistan", "country:PK"),
        ("Kazakhstan", "country:KZ"),
        ("US", "country:US"),
        ("U.S.", "country:US"),
        ("United States", "country:US"),
        ("UK", "country:GB"),
        ("Britain", "country:GB"),
        ("Russia", "country:RU"),
        ("South Korea", "country:KR"),
        ("Ivory Coast", "country:CI"),
        ("Türkiye", "country:TR"),
        ("Turkey", "country:TR"),
        ("Kosovo", "country:XK"),
    ],
)
def test_country_names_and_short_forms(gaz, surface: str, country_id: str) -> None:
    assert ids(gaz, surface)[0] == country_id


@pytest.mark.parametrize(
    ("demonym", "code"), [("Kazakh", "KZ"), ("Pakistani", "PK"), ("Uzbek", "UZ"), ("French", "FR")]
)
def test_demonyms_name_their_country(gaz, demonym: str, code: str) -> None:
    assert gaz.surfaces[demonym][0] == "demonym"
    assert ids(gaz, demonym)[0] == f"country:{code}"


def test_country_names_read_like_news(gaz) -> None:
    assert gaz.entries["country:RU"].name == "Russia"
    assert gaz.entries["country:KR"].name == "South Korea"
    assert "," not in "".join(e.name for e in gaz.entries.values() if e.type == "COUNTRY")


def test_capitals_are_always_in_and_need_no_ner(gaz) -> None:
    for name, code in [("Islamabad", "PK"), ("Astana", "KZ"), ("Tashkent", "UZ"), ("Washington", "US"), ("Male", "MV")]:
        entry = gaz.lookup(name)[0]
        assert (entry.type, entry.country) == ("CITY", code), name
        assert entry.id.startswith("city:") and entry.id[5:].isdigit()
    assert not gaz.lookup("Islamabad")[0].needs_ner


def test_word_like_city_names_need_ner_agreement(gaz) -> None:
    assert gaz.lookup("Reading")[0].needs_ner
    assert gaz.lookup("Nice")[0].needs_ner
    assert not gaz.lookup("Karachi")[0].needs_ner


def test_country_names_are_not_cities(gaz) -> None:
    assert [e.type for e in gaz.lookup("Singapore")] == ["COUNTRY"]
    assert [e.type for e in gaz.lookup("Kuwait")] == ["COUNTRY"]


def test_city_exonyms_point_at_geonames_ids(gaz, caplog) -> None:
    assert ids(gaz, "Kiev") == ids(gaz, "Kyiv")
    assert ids(gaz, "Nur-Sultan") == ids(gaz, "Astana")
    assert "city:1275339" in ids(gaz, "Bombay")


def test_regions_organisations_and_people(gaz) -> None:
    assert ids(gaz, "Central Asia") == ["region:central-asia"]
    assert ids(gaz, "Sahel") == ["region:sahel"]
    assert ids(gaz, "UN") == ["org:united-nations"]
    assert ids(gaz, "OIC") == ["org:organisation-of-islamic-cooperation"]
    assert ids(gaz, "COMSTECH") == ["org:comstech"]
    assert ids(gaz, "NATO") == ["org:nato"]
    assert ids(gaz, "Tokayev") == ["person:kassym-jomart-tokayev"]
    assert gaz.entries["person:asif-ali-zardari"].country == "PK"


def test_a_region_has_one_id_whichever_source_names_it(gaz) -> None:
    """regions.yaml, GeoNames' US states and ISO 3166-2 agree: a region within one country
    carries its code, so one name in two countries is two entities."""
    assert ids(gaz, "California") == ["region:california-us"]  # regions.yaml (US-CA in ISO 3166-2)
    assert [e.id for e in gaz.minor_places["Ohio"]] == ["region:ohio-us"]  # GeoNames and ISO: once
    limburgs = [e.id for e in gaz.minor_places["Limburg"] if e.type == "REGION"]
    assert limburgs == ["region:limburg-nl", "region:limburg-be"]
    assert ids(gaz, "Sindh") == ["region:sindh-pk"]
    assert ids(gaz, "Punjab") == ["region:punjab"]  # the region of two countries
    assert region_id("Île-de-France", country="FR") == "region:ile-de-france-fr"


def test_data_files_note_source_and_licence() -> None:
    from importlib import resources

    folder = resources.files("newswire.enricher").joinpath("data")
    files = [f for f in folder.iterdir() if f.name.endswith(".yaml")]
    assert len(files) >= 6
    for file in files:
        head = file.read_text(encoding="utf-8")[:1500].lower()
        assert "source" in head and "licence" in head, file.name


def test_leaders_file_is_dated_and_versioned() -> None:
    leaders = read_data("leaders.yaml")
    assert leaders["as_of"] and leaders["version"]
    names = [p["name"] for p in leaders["people"]]
    assert len(names) == len(set(names))
    assert len(names) >= 100


def test_name_rules_load() -> None:
    rules = load_name_rules()
    assert "President" in rules.person_titles
    assert "wednesday" in rules.noise
    assert "read more:" in rules.related_link_prefixes


def test_matcher_finds_surface_forms_in_a_doc(gaz) -> None:
    nlp = shared_enricher().nlp
    doc = nlp.make_doc("The Kazakh envoy flew from Nur-Sultan to Islamabad for talks with the UN.")
    found = {m.text: m.candidates[0].id for m in gaz.find(doc, nlp)}
    assert found["Kazakh"] == "country:KZ"
    assert found["Nur-Sultan"] == "city:1526273"
    assert found["UN"] == "org:united-nations"
    assert "Islamabad" in found


def test_subdivision_names_as_news_writes_them() -> None:
    assert subdivision_names("Galicia [Galicia]") == ["Galicia"]
    assert subdivision_names("Murcia, Región de") == ["Murcia", "Región de Murcia"]
    assert subdivision_names("Isle of Anglesey [Sir Ynys Môn GB-YNM]") == ["Isle of Anglesey", "Sir Ynys Môn"]
    listed = "San Andrés, Providencia y Santa Catalina"
    assert subdivision_names(listed) == [listed]
    assert subdivision_names("wallonne, Région") == ["Région wallonne"]
