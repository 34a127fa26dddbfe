"""The OpenAPI document and the pages that show it."""

from __future__ import annotations

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator


def test_openapi_document_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/health" in spec["paths"]


def test_openapi_document_is_valid_openapi(client):
    """Checked by openapi-spec-validator, against the OpenAPI version the document states."""
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.0.3"
    errors = [
        f"{list(e.absolute_path)}: {e.message[:200]}"
        for e in OpenAPIV30SpecValidator(spec).iter_errors()
    ]
    assert errors == []


def test_the_openapi_validator_really_checks(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    del spec["paths"]["/api/v1/health"]["get"]["responses"]["200"]["description"]
    assert list(OpenAPIV30SpecValidator(spec).iter_errors())


def test_swagger_ui_is_served_without_a_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200
        assert len(asset.data) > 100_000


@pytest.mark.parametrize(
    ("path", "method", "own"),
    [
        ("/api/v1/experts", "get", {"country", "q", "format", "page"}),
        ("/api/v1/publications/import", "post", {"format", "charset", "strict"}),
    ],
)
def test_prefer_is_documented_beside_the_operations_own_parameters(client, path, method, own):
    """An operation that may answer with a job documents ``Prefer`` as well as, not instead
    of, its filters (``blp.doc(parameters=...)`` would have replaced them)."""
    operation = client.get("/api/v1/openapi.json").get_json()["paths"][path][method]
    names = {parameter.get("name") for parameter in operation["parameters"]}
    assert own | {"Prefer"} <= names
