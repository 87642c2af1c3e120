"""Property-based API tests from the OpenAPI schema: no 5xx, responses match the schema.

Every operation is called by an admin (so every route gets past its role check) on the small
world of ``tests/voc_fixtures.py``; the database work of each operation is rolled back.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.api.conftest import ApiWorld
from voc.user.models import Role

with warnings.catch_warnings():  # schemathesis 3 subclasses jsonschema's deprecated RefResolver
    warnings.filterwarnings("ignore", "jsonschema.RefResolver is deprecated", DeprecationWarning)
    import schemathesis
    from schemathesis.specs.openapi.checks import ignored_auth
    from schemathesis.specs.openapi.schemas import BaseOpenAPISchema

schemathesis.experimental.OPEN_API_3_1.enable()  # FastAPI writes OpenAPI 3.1 documents

SENTIMENT_WEIGHTS = Path(__file__).resolve().parents[2] / "nlp" / "models" / "sentiment"
# Operations that run a model inside the request; without the shipped sentiment weights they
# answer 503 model_unavailable by design, so they are only fuzzed when the weights are here.
NEEDS_MODELS = {("/api/v1/feedback", "post"), ("/api/v1/feedback/bulk", "post"),
                ("/api/v1/search", "get")}  # fmt: skip


def _without_model_operations(spec: dict[str, Any]) -> dict[str, Any]:
    if (SENTIMENT_WEIGHTS / "branch.safetensors").is_file():
        return spec
    paths = {
        path: {m: op for m, op in item.items() if (path, m) not in NEEDS_MODELS}
        for path, item in spec["paths"].items()
    }
    return {**spec, "paths": {p: ops for p, ops in paths.items() if ops}}


@pytest.fixture
def api_schema(api: ApiWorld) -> BaseOpenAPISchema:
    """The app's own OpenAPI document, calling the app in-process."""
    app = api.client.app
    spec = _without_model_operations(app.openapi())  # type: ignore[attr-defined]
    return schemathesis.from_dict(spec, app=app)


with warnings.catch_warnings():  # 3.39 warns about its own defaulted filter arguments
    warnings.filterwarnings("ignore", ".*will be removed in Schemathesis 4.0", DeprecationWarning)
    schema = schemathesis.from_pytest_fixture("api_schema")
    parametrize = schema.parametrize()


@parametrize
@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the failing case is reported as is
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_matches_its_schema(case: schemathesis.Case, api: ApiWorld) -> None:
    # Through the fixture's open TestClient: schemathesis' own ASGI client is never closed.
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=api.headers(Role.ADMIN))
    body = {"json": kwargs["json"]} if "json" in kwargs else {"content": kwargs.get("data")}
    response = api.client.request(
        kwargs["method"],
        kwargs["url"],
        params=kwargs.get("params"),
        headers=kwargs.get("headers"),
        cookies=kwargs.get("cookies"),
        **body,
    )
    # ignored_auth cannot read httpx requests; 401/403 per route are proven by test_roles.py.
    case.validate_response(response, excluded_checks=(ignored_auth,))
