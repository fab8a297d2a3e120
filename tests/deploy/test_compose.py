"""docker-compose.yml, checked with no Docker engine: valid against the Compose Specification's
JSON Schema once interpolated, and production-minded (healthchecks, pinned images, required
secrets, a scalable enricher, dependencies with conditions, mounts that exist)."""

import importlib
import re
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
SCHEMA = Path(__file__).with_name("data") / "compose-spec.json"
SECRETS = ("POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD")
ONE_SHOT = {"init"}
NEWSWIRE_SERVICES = {"init", "scraper", "enricher", "api"}

_VARIABLE = re.compile(
    r"\$(?:\$"  # an escaped dollar
    r"|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}"  # ${NAME}, ${NAME:-default}, ...
    r"|([A-Za-z_][A-Za-z0-9_]*))"  # $NAME
)


class MissingVariable(Exception):
    """A `${VAR:?message}` whose variable is unset or empty."""


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable substitution: `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
    `${VAR:?error}`, `${VAR?error}`, `$$`; defaults may hold variables themselves."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, argument = match.group(2), match.group(3) or ""
        current = env.get(name)
        unset = current is None or (current == "" and operator is not None and operator.startswith(":"))
        if operator is not None and operator.endswith("?") and unset:
            raise MissingVariable(f"{name}: {argument}")
        if operator is not None and operator.endswith("-") and unset:
            return interpolate(argument, env)
        return current or ""

    return _VARIABLE.sub(substitute, value)


def raw_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return interpolate(raw_compose(), {name: "s3cret" for name in SECRETS})


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def test_the_interpolator_follows_compose() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET}-${UNSET:-d}-${EMPTY:-e}-${EMPTY-f}-$$HOME-${UNSET:-${SET}}", env) == "x-d-e--$HOME-x"
    with pytest.raises(MissingVariable, match="EMPTY: needed"):
        interpolate("${EMPTY:?needed}", env)


def test_compose_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = orjson.loads(SCHEMA.read_bytes())
    jsonschema.validate(compose, schema, cls=jsonschema.Draft7Validator)


def test_the_schema_rejects_a_broken_file(compose: dict[str, Any]) -> None:
    # Proof that the validation above can fail: the schema is strict about unknown keys and types.
    schema = orjson.loads(SCHEMA.read_bytes())
    broken = {**compose, "services": {**compose["services"], "api": {**compose["services"]["api"], "helthcheck": {}}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema, cls=jsonschema.Draft7Validator)


@pytest.mark.parametrize("secret", SECRETS)
def test_compose_refuses_to_start_without_a_required_secret(secret: str) -> None:
    env = {name: "s3cret" for name in SECRETS if name != secret}
    with pytest.raises(MissingVariable, match=secret):
        interpolate(raw_compose(), env)


def test_secrets_are_never_given_a_default() -> None:
    text = COMPOSE_FILE.read_text()
    uses = re.findall(r"\$\{(" + "|".join(SECRETS) + r")([^}]*)\}", text)
    assert {name for name, _ in uses} == set(SECRETS)
    assert all(rest.startswith(":?") for _, rest in uses), uses


def test_every_long_running_service_has_a_healthcheck_and_restarts(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service["restart"].startswith("on-failure"), name
            assert "healthcheck" not in service, name
            continue
        assert service["restart"] in {"always", "unless-stopped"}, name
        check = service["healthcheck"]["test"]
        assert check[0] in {"CMD", "CMD-SHELL"} and len(check) > 1, name


def test_dependencies_wait_for_health_or_completion(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for dependency, spec in service.get("depends_on", {}).items():
            condition = spec["condition"]
            if dependency in ONE_SHOT:
                assert condition == "service_completed_successfully", (name, dependency)
            else:
                assert condition == "service_healthy", (name, dependency)
                assert "healthcheck" in services[dependency], dependency
    for name in NEWSWIRE_SERVICES - ONE_SHOT:
        assert services[name]["depends_on"]["init"]["condition"] == "service_completed_successfully"
    assert services["api"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_third_party_images_are_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if "build" in service:
            continue
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and re.fullmatch(r"v?\d+\.\d+(\.\d+)?([-.][a-z0-9]+)*", tag), f"{name}: {image} is not pinned"


def test_kafka_is_the_version_the_test_suite_runs(services: dict[str, dict[str, Any]]) -> None:
    pom = (REPO / "newswire" / "broker" / "pom.xml").read_text()
    tested = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", pom)
    assert tested, "kafka.version not found in newswire/broker/pom.xml"
    assert services["kafka"]["image"] == f"apache/kafka:{tested.group(1)}"
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    assert any(v.endswith(":/var/lib/kafka/data") for v in services["kafka"]["volumes"])


def test_newswire_services_build_their_own_dockerfile_target(services: dict[str, dict[str, Any]]) -> None:
    targets = set(re.findall(r"^FROM \S+ AS (\S+)$", (REPO / "Dockerfile").read_text(), re.MULTILINE))
    for name in NEWSWIRE_SERVICES:
        build = services[name]["build"]
        assert build["context"] == "." and build["target"] == name and name in targets, name


def test_the_enricher_scales(services: dict[str, dict[str, Any]]) -> None:
    enricher = services["enricher"]
    # A fixed name, a published port or a volume of its own would make a second replica clash.
    assert not {"container_name", "ports", "volumes"} & enricher.keys()
    assert enricher["environment"]["NEWSWIRE_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert not any("container_name" in service for service in services.values())


def test_services_reach_each_other_by_service_name(services: dict[str, dict[str, Any]]) -> None:
    for name in NEWSWIRE_SERVICES:
        assert services[name]["environment"]["NEWSWIRE_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092", name
    assert services["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    database_url = services["api"]["environment"]["NEWSWIRE_DATABASE_URL"]
    assert database_url == "postgresql://newswire:s3cret@postgres:5432/newswire"
    # Bound to every interface inside the container, or Prometheus in the next container sees nothing.
    assert services["api"]["environment"]["NEWSWIRE_API_HOST"] == "0.0.0.0"
    assert services["scraper"]["environment"]["NEWSWIRE_METRICS_HOST"] == "0.0.0.0"


def test_prometheus_scrapes_the_ports_the_services_listen_on(services: dict[str, dict[str, Any]]) -> None:
    config = yaml.safe_load((REPO / "deploy" / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["newswire-scraper"]["static_configs"][0]["targets"] == [
        f"scraper:{services['scraper']['environment']['NEWSWIRE_METRICS_PORT']}"
    ]
    enricher_sd = jobs["newswire-enricher"]["dns_sd_configs"][0]
    assert enricher_sd["names"] == ["enricher"]
    assert str(enricher_sd["port"]) == str(services["enricher"]["environment"]["NEWSWIRE_METRICS_PORT"])
    api_sd = jobs["newswire-api"]["dns_sd_configs"][0]
    assert api_sd["names"] == ["api"]
    assert str(api_sd["port"]) == str(services["api"]["environment"]["NEWSWIRE_API_PORT"])


def test_bind_mounts_exist_and_match_the_provisioning(services: dict[str, dict[str, Any]]) -> None:
    mounts: dict[str, str] = {}
    for service in services.values():
        for volume in service.get("volumes", []):
            source, target, *_ = volume.split(":")
            if source.startswith("./"):
                assert (REPO / source).exists(), source
                mounts[target] = source
    assert mounts["/etc/prometheus"] == "./deploy/prometheus"
    provider = yaml.safe_load((REPO / "deploy/grafana/provisioning/dashboards/newswire.yml").read_text())
    dashboards_dir = provider["providers"][0]["options"]["path"]
    assert (REPO / mounts[dashboards_dir] / "newswire.json").is_file()
    home = services["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == f"{dashboards_dir}/newswire.json"


def test_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    used = {
        volume.split(":")[0]
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
        if not volume.startswith(("./", "/"))
    }
    assert used and used == set(compose["volumes"])


@pytest.mark.parametrize(
    ("service", "settings_class"),
    [
        ("init", "newswire.settings:CommonSettings"),
        ("scraper", "newswire.scraper.settings:Settings"),
        ("enricher", "newswire.enricher.settings:Settings"),
        ("api", "newswire.api.settings:Settings"),
    ],
)
def test_every_newswire_variable_is_a_setting_of_its_service(
    service: str, settings_class: str, services: dict[str, dict[str, Any]]
) -> None:
    # pydantic-settings ignores unknown variables: a misspelt one would silently do nothing.
    module, _, name = settings_class.partition(":")
    fields = getattr(importlib.import_module(module), name).model_fields
    known = {f"NEWSWIRE_{field.upper()}" for field in fields}
    dockerfile = (REPO / "Dockerfile").read_text()
    in_image: set[str] = set()
    for stage_name in ("runtime", service):
        stage = re.search(rf"^FROM \S+ AS {stage_name}\n(.*?)(?=^FROM |\Z)", dockerfile, re.MULTILINE | re.DOTALL)
        assert stage, stage_name
        in_image.update(re.findall(r"\b(NEWSWIRE_[A-Z_]+)=", stage.group(1)))
    assert "NEWSWIRE_DATA_DIR" in in_image
    in_compose = {key for key in services[service]["environment"] if key.startswith("NEWSWIRE_")}
    assert in_compose
    assert in_compose | in_image <= known, sorted((in_compose | in_image) - known)
