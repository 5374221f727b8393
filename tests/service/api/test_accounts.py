"""Accounts: sign up with a username and password, sign in (OAuth2 password flow), find the ratings again;
a start-fresh user can set a password; the demo login is for MovieLens users only; profiles are private."""

from __future__ import annotations

import jwt

from tests.service.api.conftest import ADMIN_KEY, sign_in

PICKS = [50, 172, 181, 1, 121]  # Star Wars, Empire Strikes Back, Return of the Jedi, Toy Story, ID4


def bearer(token_body: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_body['access_token']}"}


async def password_sign_in(api, username: str, password: str):
    return await api.post("/auth/token", data={"username": username, "password": password})


async def test_sign_up_sign_in_and_find_the_ratings_again(api):
    signed_up = await api.post(
        "/users", json={"liked_movie_ids": PICKS, "username": "Ann.Lee", "password": "correct horse"}
    )
    assert signed_up.status_code == 201, signed_up.text
    user_id = signed_up.json()["user_id"]
    rated = await api.post(
        "/ratings",
        json={"user_id": user_id, "movie_id": 98, "rating": 4.5},
        headers=bearer(signed_up.json()),
    )
    assert rated.status_code == 201

    # Signing out is forgetting the token; signing in again (any case) gives a new one.
    again = await password_sign_in(api, "ann.lee", "correct horse")
    assert again.status_code == 200 and again.json()["user_id"] == user_id
    me = (await api.get("/users/me", headers=bearer(again.json()))).json()
    assert me["username"] == "ann.lee" and me["has_password"] is True
    assert (me["ratings"], me["picks"]) == (1, len(PICKS))
    history = (await api.get(f"/users/{user_id}/ratings", headers=bearer(again.json()))).json()
    assert [item["movie"]["id"] for item in history["items"]] == [98]
    assert {pick["movie"]["id"] for pick in history["picks"]} == set(PICKS)


async def test_tokens_are_standard_jwts_with_the_user_and_an_expiry(api, api_settings):
    body = (await api.post("/users", json={"liked_movie_ids": PICKS})).json()
    claims = jwt.decode(
        body["access_token"], api_settings.secret_key.get_secret_value(), algorithms=["HS256"]
    )
    assert claims["sub"] == str(body["user_id"]) and claims["exp"] > claims["iat"]
    forged = jwt.encode(
        {"sub": "1", "exp": claims["exp"]}, "a-key-that-is-not-the-secret-key!", algorithm="HS256"
    )
    response = await api.get("/users/1", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


async def test_wrong_password_or_unknown_username_is_401_without_telling_which(api):
    await api.post("/users", json={"liked_movie_ids": PICKS, "username": "bob", "password": "bobs password"})
    wrong = await password_sign_in(api, "bob", "not bobs password")
    unknown = await password_sign_in(api, "nobody-here", "whatever1")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "wrong username or password"}


async def test_a_taken_username_is_409_and_bad_credentials_are_422(api):
    first = {"liked_movie_ids": PICKS, "username": "carol", "password": "carols password"}
    assert (await api.post("/users", json=first)).status_code == 201
    taken = await api.post("/users", json={**first, "username": "CAROL"})
    assert taken.status_code == 409 and "taken" in taken.json()["detail"]
    for body, field in [
        ({**first, "username": "c"}, "username"),
        ({**first, "username": "carol smith"}, "username"),
        ({**first, "username": "dave", "password": "short"}, "password"),
        ({"liked_movie_ids": PICKS, "username": "dave"}, "body"),
    ]:
        response = await api.post("/users", json=body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["loc"][-1] == field


async def test_a_start_fresh_user_can_set_a_password_once(api):
    guest = (await api.post("/users", json={"liked_movie_ids": PICKS})).json()
    assert (await api.get("/users/me", headers=bearer(guest))).json()["has_password"] is False
    credentials = {"username": "erin", "password": "erins password"}
    assert (await api.post("/auth/credentials", json=credentials)).status_code == 401
    saved = await api.post("/auth/credentials", json=credentials, headers=bearer(guest))
    assert saved.status_code == 200 and saved.json()["username"] == "erin"
    signed_in = await password_sign_in(api, "erin", "erins password")
    assert signed_in.json()["user_id"] == guest["user_id"]
    again = await api.post(
        "/auth/credentials", json={"username": "erin2", "password": "other password"}, headers=bearer(guest)
    )
    assert again.status_code == 409


async def test_demo_login_is_only_for_movielens_users(api):
    created = (await api.post("/users", json={"liked_movie_ids": PICKS})).json()
    response = await api.post("/auth/demo", json={"user_id": created["user_id"]})
    assert response.status_code == 403 and "not a MovieLens user" in response.json()["detail"]
    assert (await api.post("/auth/demo", json={"user_id": 1})).status_code == 200


async def test_profiles_and_histories_need_that_users_token_or_the_admin_key(api):
    for path in ("/users/13", "/users/13/ratings"):
        assert (await api.get(path)).status_code == 401
        other = await api.get(path, headers=await sign_in(api, 14))
        assert other.status_code == 403 and "user 14" in other.json()["detail"]
        assert (await api.get(path, headers=await sign_in(api, 13))).status_code == 200
        assert (await api.get(path, headers={"X-Admin-Key": ADMIN_KEY})).status_code == 200
        assert (await api.get(path, headers={"X-Admin-Key": "wrong"})).status_code == 403
    assert (await api.get("/users/me")).status_code == 401
