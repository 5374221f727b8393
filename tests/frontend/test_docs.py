"""The OpenAPI page: Authorize with a username and password (the OAuth2 password flow), then call a
private endpoint from it. Swagger UI comes from a CDN that this machine cannot reach, so the test serves
the same files (swagger-ui-dist 5, installed by the README's test command) in its place."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

SWAGGER_UI = Path(__file__).parent / "docs_ui" / "node_modules" / "swagger-ui-dist"
CDN_PREFIX = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"


def serve_swagger_ui_locally(page: Page) -> None:
    if not SWAGGER_UI.is_dir():
        pytest.skip(f"no {SWAGGER_UI}: run the README's test command (it installs swagger-ui-dist)")

    def from_disk(route: Route) -> None:
        path = SWAGGER_UI / route.request.url.removeprefix(CDN_PREFIX)
        if not path.is_file():
            route.fulfill(status=404)
            return
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=path.read_bytes(), content_type=content_type)

    page.route(f"{CDN_PREFIX}**", from_disk)
    page.route("https://fastapi.tiangolo.com/**", lambda route: route.fulfill(status=204))


def test_authorize_on_the_docs_page_signs_in_with_a_password(page: Page, base_url: str) -> None:
    account = {
        "liked_movie_ids": [50, 172, 181, 1, 121],
        "username": "docs-user",
        "password": "docs password",
    }
    created = httpx.post(f"{base_url}/users", json=account, timeout=30)
    assert created.status_code in (201, 409), created.text  # 409: an earlier run of this package
    serve_swagger_ui_locally(page)

    page.goto(f"{base_url}/docs")
    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")
    dialog.get_by_label("username:").fill("docs-user")
    dialog.get_by_label("password:").fill("docs password")
    dialog.get_by_role("button", name="Apply given OAuth2 credentials").click()
    expect(dialog.get_by_role("button", name="Remove authorization")).to_be_visible()
    dialog.get_by_role("button", name="Close").first.click()

    operation = page.locator("#operations-users-me_users_me_get")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    body = operation.locator(".live-responses-table .response-col_description pre").first
    expect(body).to_contain_text('"username": "docs-user"')
    assert json.loads(body.inner_text())["has_password"] is True
