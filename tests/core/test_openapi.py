def test_openapi_document_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/health" in spec["paths"]


def test_swagger_ui_is_served_without_a_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200
        assert len(asset.data) > 100_000
