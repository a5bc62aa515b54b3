from tests.helpers import register


async def test_register_and_me(client):
    user = await register(client, display_name="Ada")
    response = await client.get("/v1/me", headers=user["headers"])
    assert response.status_code == 200
    assert response.json()["display_name"] == "Ada"
