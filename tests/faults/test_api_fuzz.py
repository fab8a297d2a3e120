"""schemathesis on the API, beyond tests/api/test_openapi.py: the same server and schema, more
examples, and stricter checks (responses match the schema and their declared status codes and
content types, not only "no 5xx"). The tally is recorded for docs/RELIABILITY.md."""

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_openapi import api_base, schema

from .outcomes import Outcome, full_mode, record

__all__ = ["api_base"]

pytestmark = pytest.mark.faults

EXAMPLES = 150 if full_mode() else 25
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
_TALLY: Counter[str] = Counter()
_FAILURES: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def fuzz_record() -> Iterator[None]:
    yield
    record(
        Outcome(
            case="input.api-fuzz",
            kind="bad input",
            tried=f"schemathesis: up to {EXAMPLES} generated requests per operation of the OpenAPI schema "
            "(all but the never-ending /v1/stream), checked for 5xx, schema, status code and content type",
            behaviour=", ".join(f"{n} {k}" for k, n in sorted(_TALLY.items()))
            + (f"; failures: {'; '.join(_FAILURES[:3])}" if _FAILURES else "; every response conformed"),
            passed=not _FAILURES,
            details={"tally": dict(_TALLY), "failures": _FAILURES[:10]},
        )
    )


@schema.exclude(path="/v1/stream").parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_responses_conform_to_the_schema(case: schemathesis.Case, api_base: str) -> None:
    response = case.call(base_url=api_base)
    _TALLY[f"{response.status_code // 100}xx"] += 1
    try:
        case.validate_response(response, checks=CHECKS)
    except Exception as exc:
        _FAILURES.append(f"{case.method} {case.path}: {str(exc).splitlines()[0]}")
        raise
