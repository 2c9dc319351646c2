from starlette.testclient import TestClient

from app import app


def test_team() -> None:
    assert TestClient(app).get("/teams/data").json() == {"team": "data", "members": ["cy"]}
