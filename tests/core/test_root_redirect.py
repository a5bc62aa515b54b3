"""`/` points at the documentation (issue 18): a redirect to Swagger UI, not a 404 problem."""


async def test_the_root_redirects_to_the_documentation(client):
    response = await client.get("/")

    assert response.status_code in (307, 308)
    assert response.headers["location"] == "/docs"


async def test_following_the_root_lands_on_swagger_ui(client):
    response = await client.get("/", follow_redirects=True)

    assert response.status_code == 200
    assert "swagger-ui" in response.text


async def test_the_redirect_is_not_an_operation_of_the_api(app):
    assert "/" not in app.openapi()["paths"]
